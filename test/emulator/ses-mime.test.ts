import { describe, it, expect } from 'vitest';
import { bareAddress, decodeEncodedWords, parseMime, splitAddressList } from '../../local/ses/mime';
import { renderTemplate } from '../../local/ses/render-template';

describe('the local SES reading MIME', () => {
  it('unfolds headers and decodes encoded words', () => {
    const { headers, text } = parseMime('Subject: =?utf-8?Q?Gr=C3=BC=C3=9Fe_aus?=\r\n =?UTF-8?B?QmVybGlu?=\r\nX-Long: a\r\n\tb\r\n\r\nbody\r\n');
    expect(headers).toEqual([
      { name: 'Subject', value: 'Grüße ausBerlin' },
      { name: 'X-Long', value: 'a b' },
    ]);
    expect(text).toBe('body');
    expect(decodeEncodedWords('plain')).toBe('plain');
  });

  it('finds text and html in nested multiparts and skips attachments', () => {
    const mime = [
      'Content-Type: multipart/mixed; boundary=outer',
      '',
      '--outer',
      'Content-Type: multipart/alternative; boundary="inner"',
      '',
      '--inner',
      'Content-Type: text/plain',
      '',
      'plain text',
      '--inner',
      'Content-Type: text/html',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      '<p class=3D"x">long =',
      'line</p>',
      '--inner--',
      '--outer',
      'Content-Type: text/plain',
      'Content-Disposition: attachment; filename="a.txt"',
      '',
      'attached',
      '--outer--',
    ].join('\n');
    expect(parseMime(mime)).toMatchObject({ text: 'plain text', html: '<p class="x">long line</p>' });
  });

  it('splits address lists, keeping quoted commas', () => {
    expect(splitAddressList('"Doe, Jane" <jane@x.com>, bob@x.com')).toEqual(['"Doe, Jane" <jane@x.com>', 'bob@x.com']);
    expect(bareAddress('Jane <Jane@X.com>')).toBe('jane@x.com');
  });
});

describe('the local SES rendering templates', () => {
  const data = { name: '<b>Ann</b>', deal: { id: 'D-1', owner: { name: 'Bo' } }, n: 0 };

  it('substitutes plain and nested variables, empty when missing', () => {
    expect(renderTemplate('{{name}} / {{ deal.id }} / {{deal.owner.name}} / {{missing.x}} / {{n}}', data)).toBe('<b>Ann</b> / D-1 / Bo /  / 0');
  });

  it('escapes {{x}} but not {{{x}}} in HTML', () => {
    expect(renderTemplate('<p>{{name}}</p>{{{name}}}', data, { html: true })).toBe('<p>&lt;b&gt;Ann&lt;/b&gt;</p><b>Ann</b>');
  });
});
