import { Controller, Get, Req } from '@nestjs/common';
import type { Request } from 'express';
import { MetaService, buttonTriggers, formFor, recordActions, viewFor } from '@crm/metadata';
import { actorOf } from '../http/request-context';

/**
 * The entities the caller may read, for the web app's navigation and global search: what a user
 * cannot read is not listed (the records API refuses it anyway). Each carries the layout of its
 * record page (`form`) and list (`view`): the entity's own documents, or ones derived from its
 * fields. Forms and lists then fetch each entity's compiled schema from
 * /api/meta/entities/:name/schema.
 */
@Controller('api/meta/entities')
export class EntitiesController {
  constructor(private readonly meta: MetaService) {}

  @Get()
  list(@Req() req: Request) {
    const { principal } = actorOf(req);
    const data = [...this.meta.model.entities.values()]
      .filter((e) => principal.ability.can('read', e.name))
      .map((e) => ({
        name: e.name,
        label: e.doc.label,
        ...(e.doc.description && { description: e.doc.description }),
        displayField: e.doc.displayField,
        // related lists: records of readable entities pointing here through a named inverse
        inverses: e.inverses
          .filter((i) => principal.ability.can('read', i.sourceEntity))
          .map((i) => ({
            name: i.name,
            entity: i.sourceEntity,
            field: i.sourceField,
            label: this.meta.model.entities.get(i.sourceEntity)?.doc.fields[i.sourceField]?.inverse
              ?.label ?? { 'zh-CN': i.name, en: i.name },
          })),
        // the record page's buttons (trigger documents) the caller may press: one of the
        // trigger's roles, or a start rule for its process on this entity (the record's own
        // conditions are checked when pressed)
        buttons: buttonTriggers(this.meta.model.documents, e.name)
          .filter((t) =>
            t.roles
              ? t.roles.some((r) => principal.user.roles.includes(r))
              : principal.forProcess(t.process).ability.can('start', e.name),
          )
          .map((t) => ({ name: t.name, label: t.button!.label, process: t.process })),
        // the record actions (action documents) a run rule lets the caller run on some record;
        // GET /api/records/:entity/:id/actions says which apply to one record
        actions: recordActions(this.meta.model.documents, e.name)
          .filter((a) => principal.forAction(a.name).ability.can('run', e.name))
          .map((a) => ({
            name: a.name,
            label: a.label,
            ...(a.description && { description: a.description }),
            ...(a.confirm && { confirm: a.confirm }),
            ...(a.when && { when: a.when }),
          })),
        // layouts only: the records API still decides which fields the caller may read or write
        form: formFor(this.meta.model.documents, e.doc),
        view: viewFor(this.meta.model.documents, e.doc),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return { data };
  }
}
