import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import type { Request } from 'express';
import { EngineService, checkClusterVariableName, parseClusterVariableScope } from '@crm/workflow';
import { actorOf } from '../http/request-context';

type Body_ = Record<string, unknown> | undefined;

/**
 * Camunda 8.9 cluster variables (engine/cluster-variables.ts), in the shape of Camunda's
 * Orchestration Cluster API (`POST /v2/cluster-variables/global` with `{ name, value }`, …):
 * `global` ones and the tenant's (this CRM has one tenant). Configuration every process reads,
 * so only administrators (`manage` on Workflow) read or change it.
 */
@Controller('api/workflow/cluster-variables')
export class ClusterVariablesController {
  constructor(private readonly engine: EngineService) {}

  private admin(req: Request): string {
    const a = actorOf(req);
    a.principal.assert('manage', 'Workflow');
    return a.id;
  }

  @Get()
  async list(@Req() req: Request) {
    this.admin(req);
    return { data: await this.engine.clusterVariables.list() };
  }

  @Post(':scope')
  create(@Param('scope') scope: string, @Body() body: Body_, @Req() req: Request) {
    const actor = this.admin(req);
    return this.engine.clusterVariables.create(parseClusterVariableScope(scope), body ?? {}, actor);
  }

  @Get(':scope/:name')
  get(@Param('scope') scope: string, @Param('name') name: string, @Req() req: Request) {
    this.admin(req);
    return this.engine.clusterVariables.get(
      parseClusterVariableScope(scope),
      checkClusterVariableName(name, 'name'),
    );
  }

  @Put(':scope/:name')
  update(
    @Param('scope') scope: string,
    @Param('name') name: string,
    @Body() body: Body_,
    @Req() req: Request,
  ) {
    const actor = this.admin(req);
    return this.engine.clusterVariables.update(
      parseClusterVariableScope(scope),
      checkClusterVariableName(name, 'name'),
      body ?? {},
      actor,
    );
  }

  @Delete(':scope/:name')
  @HttpCode(204)
  async remove(@Param('scope') scope: string, @Param('name') name: string, @Req() req: Request) {
    const actor = this.admin(req);
    await this.engine.clusterVariables.remove(
      parseClusterVariableScope(scope),
      checkClusterVariableName(name, 'name'),
      actor,
    );
  }
}
