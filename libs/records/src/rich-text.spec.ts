import type { CompiledEntity } from '@crm/metadata';
import { sanitizeRichText, sanitizeRichTextFields } from './rich-text';

describe('sanitizeRichText', () => {
  it.each([
    ['script with its code', '<p>hi<script>alert(1)</script></p>', '<p>hi</p>'],
    ['style with its rules', '<style>p{color:red}</style><p>x</p>', '<p>x</p>'],
    ['img with onerror', '<p>a<img src="x" onerror="window.pwned=1">b</p>', '<p>ab</p>'],
    ['event handler on an allowed tag', '<p onclick="x()" onmouseover="y()">t</p>', '<p>t</p>'],
    ['style and class attributes', '<b style="color:red" class="k" id="i">t</b>', '<b>t</b>'],
    ['javascript: link', '<a href="javascript:alert(1)">l</a>', '<a>l</a>'],
    [
      'JavaScript: with entities and spaces',
      '<a href=" jav&#x09;ascript:alert(1)">l</a>',
      '<a>l</a>',
    ],
    ['data: link', '<a href="data:text/html,<script>x</script>">l</a>', '<a>l</a>'],
    ['protocol-relative link', '<a href="//evil.example/x">l</a>', '<a>l</a>'],
    ['iframe with its content', '<iframe src="https://x.example">inner</iframe>ok', 'ok'],
    ['svg with a script', '<svg><script>alert(1)</script><text>s</text></svg>ok', 'ok'],
    ['div and span from a paste keep their text', '<div><span style="x">a</span></div>', 'a'],
    ['html comment', '<p>a<!-- <script>x</script> --></p>', '<p>a</p>'],
    ['unclosed tag is closed', '<p><b>bold', '<p><b>bold</b></p>'],
    ['text that looks like markup is escaped', 'a < b & c', 'a &lt; b &amp; c'],
  ])('removes %s', (_title, input, expected) => {
    expect(sanitizeRichText(input)).toBe(expected);
  });

  it('keeps every allow-listed tag', () => {
    const html =
      '<h1>T</h1><h2>S</h2><h3>s</h3><p><b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><br /></p>' +
      '<ul><li>one</li></ul><ol><li>two</li></ol><blockquote>q</blockquote><pre><code>c</code></pre>';
    expect(sanitizeRichText(html)).toBe(html);
  });

  it.each([
    ['https://example.com/a?b=1&amp;c=2'],
    ['http://example.com'],
    ['mailto:sales@example.com'],
  ])('keeps a %s link, and only its href', (href) => {
    expect(sanitizeRichText(`<a href="${href}" onclick="x()" target="_top">l</a>`)).toBe(
      `<a href="${href}">l</a>`,
    );
  });

  it('is idempotent: cleaning a stored value again changes nothing', () => {
    const once = sanitizeRichText(
      '<p>a &amp; <a href="https://x.example">l</a><img src=x onerror=y></p><ul><li>x',
    );
    expect(sanitizeRichText(once)).toBe(once);
  });
});

describe('sanitizeRichTextFields', () => {
  const entity = {
    fields: {
      body: { type: 'richText' },
      title: { type: 'text' },
    },
  } as unknown as CompiledEntity;

  it('cleans rich text fields only, and leaves other values (even non-strings) to validation', () => {
    const data: Record<string, unknown> = {
      body: '<b onclick="x">b</b>',
      title: '<b onclick="x">b</b>',
    };
    sanitizeRichTextFields(entity, data);
    expect(data).toEqual({ body: '<b>b</b>', title: '<b onclick="x">b</b>' });
    const wrong: Record<string, unknown> = { body: 42 };
    sanitizeRichTextFields(entity, wrong);
    expect(wrong).toEqual({ body: 42 });
  });
});
