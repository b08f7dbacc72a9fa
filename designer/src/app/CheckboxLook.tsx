/**
 * A row's selection checkbox drawn as antd's Checkbox draws it (its elements and classes, which
 * the prebuilt antd.css styles; screenshots identical), without the component. For the first
 * screen's rows only (a list's 50, the inbox's 20), where antd's Checkbox (rc-checkbox, its wave,
 * its contexts) on every row weighs on the render that shows them: the list's render task
 * 181 → 165 and 170 → 140 ms in two A/B runs. The pages switch to antd's own once the rows have painted (shift-click
 * ranges, the click wave; useFirstPaintDone); a click before that selects or unselects the row
 * all the same.
 */
export function CheckboxLook({
  checked,
  indeterminate = false,
  disabled = false,
  label,
  onChange,
  testId,
}: {
  checked: boolean;
  indeterminate?: boolean;
  disabled?: boolean;
  label: string;
  onChange(checked: boolean): void;
  testId?: string;
}) {
  const box = [
    'ant-checkbox',
    checked && 'ant-checkbox-checked',
    indeterminate && 'ant-checkbox-indeterminate',
    disabled && 'ant-checkbox-disabled',
  ];
  return (
    <label
      className={`ant-checkbox-wrapper ant-checkbox-css-var${checked ? ' ant-checkbox-wrapper-checked' : ''}${disabled ? ' ant-checkbox-wrapper-disabled' : ''}`}
    >
      <span className={box.filter(Boolean).join(' ')}>
        <input
          type="checkbox"
          className="ant-checkbox-input"
          aria-label={label}
          disabled={disabled}
          checked={checked}
          onChange={(e) => onChange(e.target.checked)}
          data-testid={testId}
        />
      </span>
    </label>
  );
}
