// Our forms' helpers, on top of pages that work without them (the CSP allows only our own scripts, no inline ones).

// A refused form's summary (ErrorSummary, web/layout.tsx) takes the focus as the page opens: a screen reader
// announces it, and a phone scrolls to it instead of leaving the citizen at the top of a long form that seems to
// have done nothing. Module scripts run once the document is parsed, so the summary is there.
const summary = document.querySelector('[data-error-summary]');
if (summary instanceof HTMLElement) summary.focus();

// Forms marked data-submit-once: once submitted, their buttons are disabled so a double click sends one request.
// The server does not rely on it (a repeated request changes nothing); this only spares the second round trip.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-submit-once')) return;
  if (form.dataset.submitting === '1') {
    event.preventDefault();
    return;
  }
  form.dataset.submitting = '1';
  // After the browser has built the request (a disabled submitter would drop its formaction otherwise).
  setTimeout(() => {
    for (const b of form.querySelectorAll('button[type="submit"], button:not([type])')) b.disabled = true;
  }, 0);
});
// Coming back to the page from the history: its forms may be used again.
window.addEventListener('pageshow', () => {
  for (const form of document.querySelectorAll('form[data-submit-once]')) {
    delete form.dataset.submitting;
    for (const b of form.querySelectorAll('button')) b.disabled = false;
  }
});

// A page that answers a form's post (a refusal, a draft saved) names where a GET shows it again (meta motcua-address,
// web/post-answer.ts): the history entry becomes that address, so Back or reload reads the page again instead of
// asking to send the form once more (Chromium's ERR_CACHE_MISS page). Without script, the browser asks as before; a
// form sent again is refused or answered as the first (its submission key).
// Last in this file: whatever happens here stops nothing above.
const address = document.querySelector('meta[name="motcua-address"]');
if (address instanceof HTMLMetaElement && /^\/(?![/\\])/.test(address.content)) {
  try {
    history.replaceState(history.state, '', address.content);
  } catch {
    // An address the browser takes for another origin: the history keeps the post, as without script.
  }
}
