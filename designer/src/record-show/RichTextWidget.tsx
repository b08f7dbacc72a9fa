import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { Button, Input, Space, Tooltip } from 'antd';
import {
  BoldOutlined,
  ClearOutlined,
  ItalicOutlined,
  LinkOutlined,
  OrderedListOutlined,
  UnderlineOutlined,
  UnorderedListOutlined,
} from '@ant-design/icons';
import type { WidgetProps } from '@rjsf/utils';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';
import { cleanHtml, isBlankHtml, safeHref } from './richHtml';

/**
 * Commands of the browser's own editing (document.execCommand): deprecated on paper, but every
 * engine ships it and nothing replaces it; it keeps this editor a few KB instead of a framework.
 */
const TOOLS: Array<{ cmd: string; key: MessageKey; icon: React.ReactNode }> = [
  { cmd: 'bold', key: 'richText.bold', icon: <BoldOutlined /> },
  { cmd: 'italic', key: 'richText.italic', icon: <ItalicOutlined /> },
  { cmd: 'underline', key: 'richText.underline', icon: <UnderlineOutlined /> },
  { cmd: 'insertUnorderedList', key: 'richText.bullets', icon: <UnorderedListOutlined /> },
  { cmd: 'insertOrderedList', key: 'richText.numbers', icon: <OrderedListOutlined /> },
];

/**
 * Rich text in the record form: a contentEditable area with a toolbar (bold, italic, underline,
 * lists, link, clear formatting). Ctrl+B/I/U work as everywhere; Tab leaves the editor, so the
 * form stays keyboard-usable. The value is HTML, cleaned here and again by the server. Read-only,
 * the cleaned HTML is shown as it reads.
 */
export function RichTextWidget(props: WidgetProps) {
  const { t } = useI18n();
  const editor = useRef<HTMLDivElement>(null);
  const [linking, setLinking] = useState(false);
  const [url, setUrl] = useState('');
  const saved = useRef<Range | null>(null);
  const value = typeof props.value === 'string' ? props.value : '';
  const readOnly = props.disabled || props.readonly;

  // only a value from outside (a loaded record, a conflict) replaces the content: rewriting it on
  // every keystroke would throw the caret to the start
  useEffect(() => {
    const el = editor.current;
    if (el && el.innerHTML !== value) el.innerHTML = cleanHtml(value);
  }, [value, readOnly]);

  if (readOnly)
    return (
      <div
        id={props.id}
        className="rich-text rich-text-view"
        data-testid={`richtext-${props.name}`}
        dangerouslySetInnerHTML={{ __html: cleanHtml(value) }}
      />
    );

  const emit = () => {
    const html = editor.current?.innerHTML ?? '';
    props.onChange(isBlankHtml(html) ? undefined : html);
  };
  const run = (cmd: string, arg?: string) => {
    editor.current?.focus();
    // paragraphs as <p> (Chrome's default is <div>, which the server would unwrap)
    document.execCommand('defaultParagraphSeparator', false, 'p');
    document.execCommand(cmd, false, arg);
    emit();
  };
  const startLink = () => {
    const sel = window.getSelection();
    saved.current =
      sel && sel.rangeCount && editor.current?.contains(sel.anchorNode)
        ? sel.getRangeAt(0).cloneRange()
        : null;
    setUrl('');
    setLinking(true);
  };
  const addLink = () => {
    const href = safeHref(url);
    setLinking(false);
    if (!href) return;
    editor.current?.focus();
    const sel = window.getSelection();
    if (saved.current && sel) {
      sel.removeAllRanges();
      sel.addRange(saved.current);
    }
    // a link with nothing selected gets its address as its text
    if (!sel || sel.isCollapsed)
      run('insertHTML', cleanHtml(`<a href="${encodeURI(href)}">${href}</a>`));
    else run('createLink', href);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
      e.preventDefault();
      startLink();
    }
  };

  return (
    <div className="rich-text" data-testid={`richtext-${props.name}`}>
      <Space size={2} className="rich-text-toolbar" role="toolbar" aria-label={props.label}>
        {TOOLS.map((tool) => (
          <ToolButton
            key={tool.cmd}
            title={t(tool.key)}
            icon={tool.icon}
            testId={`richtext-${tool.cmd}`}
            onClick={() => run(tool.cmd)}
          />
        ))}
        <ToolButton
          title={t('richText.link')}
          hint="Ctrl+K"
          icon={<LinkOutlined />}
          testId="richtext-link"
          onClick={startLink}
        />
        <ToolButton
          title={t('richText.clear')}
          icon={<ClearOutlined />}
          testId="richtext-clear"
          onClick={() => {
            run('removeFormat');
            run('unlink');
          }}
        />
      </Space>
      {linking && (
        <Space.Compact style={{ width: '100%', marginBottom: 4 }}>
          <Input
            autoFocus
            size="small"
            value={url}
            placeholder={t('richText.linkUrl')}
            data-testid="richtext-link-url"
            onChange={(e) => setUrl(e.target.value)}
            onPressEnter={(e) => {
              e.preventDefault();
              addLink();
            }}
            onKeyDown={(e) => e.key === 'Escape' && setLinking(false)}
          />
          <Button size="small" type="primary" onClick={addLink}>
            {t('common.ok')}
          </Button>
        </Space.Compact>
      )}
      <div
        ref={editor}
        id={props.id}
        className="rich-text-editor"
        contentEditable
        suppressContentEditableWarning
        role="textbox"
        aria-multiline="true"
        aria-label={props.label}
        aria-invalid={props.rawErrors?.length ? true : undefined}
        tabIndex={0}
        data-testid={`richtext-editor-${props.name}`}
        onInput={emit}
        onBlur={() => props.onBlur(props.id, value)}
        onFocus={() => props.onFocus(props.id, value)}
        onKeyDown={onKeyDown}
      />
    </div>
  );
}

/** A toolbar button that keeps the selection in the editor (a click would move focus first). */
function ToolButton(props: {
  title: string;
  hint?: string;
  icon: React.ReactNode;
  testId: string;
  onClick: () => void;
}) {
  return (
    <Tooltip title={props.hint ? `${props.title} (${props.hint})` : props.title}>
      <Button
        size="small"
        type="text"
        icon={props.icon}
        aria-label={props.title}
        data-testid={props.testId}
        onMouseDown={(e) => e.preventDefault()}
        onClick={props.onClick}
      />
    </Tooltip>
  );
}
