import { useState } from 'react';
import { Button, Space, Tag, Typography, Upload } from 'antd';
import { PaperClipOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n/i18n';
import { type UploadedFile, uploadAttachment } from './api';
import { problemOf } from './problems';

/**
 * Attachments of an action: each file is uploaded through the files API as it is picked; the
 * action sends the ids. A refused upload (403 for a role that may write no file field, 413 too
 * large) shows the server's message beside the button.
 */
export function AttachmentsInput({
  value,
  onChange,
}: {
  value: UploadedFile[];
  onChange(files: UploadedFile[]): void;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const add = async (file: File) => {
    setBusy((n) => n + 1);
    setError(null);
    try {
      const stored = await uploadAttachment(file);
      onChange([...value, stored]);
    } catch (e) {
      setError(`${file.name}: ${problemOf(e).message}`);
    } finally {
      setBusy((n) => n - 1);
    }
  };
  return (
    <Space wrap size={[4, 4]} data-testid="attachments">
      <Upload
        showUploadList={false}
        multiple
        beforeUpload={(f) => {
          void add(f);
          return false;
        }}
      >
        <Button size="small" icon={<PaperClipOutlined />} loading={busy > 0}>
          {t('approval.attach')}
        </Button>
      </Upload>
      {value.map((f) => (
        <Tag
          key={f.id}
          closable
          onClose={() => onChange(value.filter((x) => x.id !== f.id))}
          data-testid="attachment"
        >
          {f.name}
        </Tag>
      ))}
      {error && (
        <Typography.Text type="danger" data-testid="attachment-error">
          {error}
        </Typography.Text>
      )}
    </Space>
  );
}
