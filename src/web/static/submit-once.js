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
