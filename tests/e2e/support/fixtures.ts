/** Metadata fixtures for the e2e suite: an entity with every field type and its neighbours. */
export const ACCOUNT = `
kind: entity
name: account
label: { zh-CN: 客户, en: Account }
displayField: name
fields:
  code: { type: autoNumber, label: { zh-CN: 编号, en: Code }, codeRule: "KH-{YYYY}{MM}-{seq:5}" }
  name: { type: text, label: { zh-CN: 名称, en: Name }, required: true, length: 100, unique: true }
  city: { type: text, label: { zh-CN: 城市, en: City } }
  rating: { type: integer, label: { zh-CN: 评分, en: Rating }, min: 0, max: 5 }
indexes:
  - { fields: [city, rating] }
`;

export const TAG = `
kind: entity
name: tag
label: { zh-CN: 标签, en: Tag }
displayField: label
fields:
  label: { type: text, label: { zh-CN: 名称, en: Label }, required: true }
`;

export const DEAL = `
kind: entity
name: deal
label: { zh-CN: 商机, en: Deal }
description: { zh-CN: 每种字段类型, en: Every field type }
displayField: title
fields:
  number: { type: autoNumber, label: { zh-CN: 编号, en: Number }, codeRule: "SJ-{YY}{MM}{DD}-{seq:3}" }
  title: { type: text, label: { zh-CN: 标题, en: Title }, required: true, length: 120, pattern: "^[^<>]*$" }
  notes: { type: longText, label: { zh-CN: 备注, en: Notes } }
  body: { type: richText, label: { zh-CN: 正文, en: Body } }
  quantity: { type: integer, label: { zh-CN: 数量, en: Quantity }, min: 0, default: 1 }
  weight: { type: decimal, label: { zh-CN: 重量, en: Weight }, precision: 8, scale: 3 }
  amount: { type: currency, label: { zh-CN: 金额, en: Amount }, currency: CNY, min: 0 }
  probability: { type: percent, label: { zh-CN: 赢率, en: Probability }, min: 0, max: 100 }
  won: { type: boolean, label: { zh-CN: 赢单, en: Won }, default: false }
  startDate: { type: date, label: { zh-CN: 开始, en: Start } }
  closeDate: { type: date, label: { zh-CN: 结束, en: Close } }
  lastContact: { type: datetime, label: { zh-CN: 最近联系, en: Last contact } }
  email: { type: email, label: { zh-CN: 邮箱, en: Email } }
  phone: { type: phone, label: { zh-CN: 电话, en: Phone } }
  website: { type: url, label: { zh-CN: 网站, en: Website } }
  stage:
    type: select
    label: { zh-CN: 阶段, en: Stage }
    default: open
    options:
      - { value: open, label: { zh-CN: 进行中, en: Open }, color: "#1677ff" }
      - { value: won, label: { zh-CN: 赢单, en: Won }, color: "#52c41a" }
      - { value: lost, label: { zh-CN: 输单, en: Lost } }
  channels:
    type: multiSelect
    label: { zh-CN: 渠道, en: Channels }
    options:
      - { value: web, label: { zh-CN: 网站, en: Web } }
      - { value: phone, label: { zh-CN: 电话, en: Phone } }
      - { value: fair, label: { zh-CN: 展会, en: Fair } }
  account:
    type: relation
    relation: manyToOne
    target: account
    label: { zh-CN: 客户, en: Account }
    inverse: { name: deals, label: { zh-CN: 商机, en: Deals } }
  tags: { type: relation, relation: manyToMany, target: tag, label: { zh-CN: 标签, en: Tags } }
  contract: { type: file, label: { zh-CN: 合同, en: Contract }, accept: [application/pdf, text/] }
  extra: { type: json, label: { zh-CN: 扩展, en: Extra } }
rules:
  - name: closeAfterStart
    expression: closeDate >= startDate
    message: { zh-CN: 结束日期不能早于开始日期, en: Close date must not be before start date }
`;

export const BASE_FILES = { 'account.yaml': ACCOUNT, 'tag.yaml': TAG, 'deal.yaml': DEAL };
