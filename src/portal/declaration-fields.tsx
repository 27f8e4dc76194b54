/**
 * TỜ KHAI of Nộp hồ sơ: the procedure version's declaration fields as form controls. Plain HTML (no script): each
 * control has its label, the required ones say so in words and with aria-required, a refused one is marked invalid
 * and described by its message. No `required` attribute: Lưu nháp must save a half-filled tờ khai.
 */
import type { DeclarationField } from '../db/schema/index.js';
import { FieldError } from '../web/layout.js';
import { answerName } from './declaration-input.js';
import { DATE_HINT } from '../shared/dates.js';

function Label(p: { f: DeclarationField; id: string; hint?: string }) {
  return (
    <label for={p.id}>
      {p.f.label}
      {p.hint ? ` (${p.hint})` : ''} {p.f.required ? <span class="required">(bắt buộc)</span> : <span class="muted">(không bắt buộc)</span>}
    </label>
  );
}

function Control(p: { f: DeclarationField; value: string; errors: Record<string, string> }) {
  const { f } = p;
  const name = answerName(f.key);
  const aria = {
    ...(f.required ? { 'aria-required': 'true' } : {}),
    ...(p.errors[name] ? { 'aria-invalid': 'true', 'aria-describedby': `err-${name}` } : {}),
  };
  switch (f.type) {
    case 'multiline':
      return (
        <>
          <Label f={f} id={name} hint={`tối đa ${f.maxLength} ký tự`} />
          <textarea id={name} name={name} rows={4} maxlength={f.maxLength} {...aria}>
            {p.value}
          </textarea>
        </>
      );
    case 'choice':
      return (
        <>
          <Label f={f} id={name} />
          <select id={name} name={name} {...aria}>
            <option value="">— Chọn —</option>
            {(f.options ?? []).map((o) => (
              <option value={o} selected={o === p.value}>
                {o}
              </option>
            ))}
          </select>
        </>
      );
    case 'yesno': {
      // A question with two answers: a group whose legend is the question and says whether it is required (radio
      // buttons take no aria-required). An optional one can be unanswered again, which a radio alone cannot do.
      const invalid = p.errors[name] ? { 'aria-invalid': 'true' } : {};
      return (
        <fieldset class="document" {...(p.errors[name] ? { 'aria-describedby': `err-${name}` } : {})}>
          <legend>
            {f.label} {f.required ? <span class="required">(bắt buộc)</span> : <span class="muted">(không bắt buộc)</span>}
          </legend>
          <label class="check">
            <input type="radio" name={name} value="co" checked={p.value === 'co'} {...invalid} /> Có
          </label>
          <label class="check">
            <input type="radio" name={name} value="khong" checked={p.value === 'khong'} {...invalid} /> Không
          </label>
          {f.required ? null : (
            <label class="check">
              <input type="radio" name={name} value="" checked={p.value !== 'co' && p.value !== 'khong'} /> Không trả lời
            </label>
          )}
        </fieldset>
      );
    }
    default: {
      // A date on a phone's numeric keypad (no "/"): eight digits are read as dd/mm/yyyy too (shared/dates.ts).
      const hint = f.type === 'date' ? DATE_HINT : f.type === 'number' ? 'số' : `tối đa ${f.maxLength} ký tự`;
      return (
        <>
          <Label f={f} id={name} hint={hint} />
          <input
            id={name}
            name={name}
            value={p.value}
            {...(f.type === 'text'
              ? { maxlength: f.maxLength }
              : f.type === 'number'
                ? { inputmode: 'decimal' }
                : f.type === 'date'
                  ? { inputmode: 'numeric', autocomplete: 'off' }
                  : {})}
            {...aria}
          />
        </>
      );
    }
  }
}

export function DeclarationFields(p: { fields: DeclarationField[]; values: Record<string, string>; errors: Record<string, string> }) {
  if (!p.fields.length) return null;
  return (
    <fieldset id="to-khai">
      <legend>TỜ KHAI</legend>
      <p class="muted">Điền các thông tin của tờ khai; thông tin đã nhập được giữ lại khi lưu nháp.</p>
      {p.fields.map((f) => (
        <div class="declaration-field">
          <Control f={f} value={p.values[answerName(f.key)] ?? ''} errors={p.errors} />
          <FieldError errors={p.errors} name={answerName(f.key)} />
        </div>
      ))}
    </fieldset>
  );
}
