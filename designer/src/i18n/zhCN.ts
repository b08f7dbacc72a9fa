// Chinese for antd's components and dayjs: its own chunk, loaded only when the app is in Chinese
// (English is antd's and dayjs's own default, always there).
import zhCN from 'antd/locale/zh_CN';
import 'dayjs/locale/zh-cn';

export default zhCN;
