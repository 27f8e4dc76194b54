import { describe, expect, it } from 'vitest';
import { attachmentDisposition } from './download.js';

describe('attachmentDisposition', () => {
  it('carries the Vietnamese name in filename* and an ASCII stand-in in filename', () => {
    expect(attachmentDisposition('Giấy biên nhận Đỗ.pdf')).toBe(
      `attachment; filename="Giay bien nhan Do.pdf"; filename*=UTF-8''Gi%E1%BA%A5y%20bi%C3%AAn%20nh%E1%BA%ADn%20%C4%90%E1%BB%97.pdf`,
    );
  });

  it('escapes what a quoted string or RFC 5987 forbids', () => {
    const v = attachmentDisposition(`a"b\\c;d%e'(f)*.pdf`, 'inline');
    expect(v.startsWith('inline; filename="a_b_c_d_e\'(f)*.pdf"; ')).toBe(true);
    expect(v).toContain(`filename*=UTF-8''a%22b%5Cc%3Bd%25e%27%28f%29%2A.pdf`);
  });

  it('answers a name with a lone surrogate instead of throwing (it has no UTF-8 form)', () => {
    for (const name of ['h\uD800s.pdf', 'h\uDC00s.pdf', '\uD83D']) {
      const v = attachmentDisposition(name);
      expect(v).toContain('%EF%BF%BD');
      expect(v).not.toMatch(/[\uD800-\uDFFF]/);
    }
    // A well-formed pair (an emoji) is kept.
    expect(attachmentDisposition('a😀.pdf')).toContain(`filename*=UTF-8''a%F0%9F%98%80.pdf`);
  });

  it('gives a stand-in when nothing ASCII is left', () => {
    expect(attachmentDisposition('')).toContain('filename="tep"');
  });
});
