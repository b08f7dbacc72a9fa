import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { MulterModule } from '@nestjs/platform-express';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  APP_CONFIG,
  type AppConfig,
  CLOCK,
  type Clock,
  DB,
  DataSourceDb,
  openDataSource,
} from '@crm/common';
import { AuditService, AuthService, IdentityService } from '@crm/access';
import { MetaService } from '@crm/metadata';
import { FilesService, RecordTransferService, RecordsService } from '@crm/records';
import { AdminController } from './controllers/admin.controller';
import { ClusterVariablesController } from './controllers/cluster-variables.controller';
import {
  ApprovalInstancesController,
  ApprovalTasksController,
} from './controllers/approvals.controller';
import { AuthController } from './controllers/auth.controller';
import { EntitiesController } from './controllers/entities.controller';
import { SavedViewsController } from './controllers/saved-views.controller';
import { SavedViewsService } from './saved-views';
import { FilesController } from './controllers/files.controller';
import { HealthController, Lifecycle } from './controllers/health.controller';
import { InboxController, TimelineController } from './controllers/inbox.controller';
import { MetaController } from './controllers/meta.controller';
import { RecordActionsController } from './controllers/record-actions.controller';
import { RecordTransferController } from './controllers/record-transfer.controller';
import { RecordsController } from './controllers/records.controller';
import { SystemController } from './controllers/system.controller';
import { UsersController } from './controllers/users.controller';
import {
  NotificationsController,
  TasksController,
  WorkflowController,
} from './controllers/workflow.controller';
import {
  DeploymentsService,
  EngineService,
  InboxService,
  JobExecutorService,
  MailSenderService,
  ORG_SOURCE,
  RecordActionsService,
  RecordTriggers,
  TaskTypeRegistry,
  TimelineService,
} from '@crm/workflow';
import { AuthGuard } from './http/auth.guard';
import { HeavyRequests } from './http/heavy-requests';
import { KnownQueryParamsGuard } from './http/query-params';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, clock: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRootAsync({
          // The DataSource is opened by our factory (it creates the MySQL database if missing and
          // sets SQLite pragmas); @nestjs/typeorm owns its lifecycle.
          useFactory: () => ({ type: 'better-sqlite3', database: ':memory:', retryAttempts: 0 }),
          dataSourceFactory: async () => openDataSource(config.databaseUrl, config.dbPoolSize),
        }),
        TerminusModule.forRoot({ logger: false }),
        // multipart uploads: multer stops reading (413) as soon as the file passes MAX_FILE_BYTES
        MulterModule.register({
          limits: { fileSize: config.maxFileBytes, files: 1, fields: 20, fieldSize: 64 * 1024 },
        }),
      ],
      controllers: [
        HealthController,
        SystemController,
        EntitiesController,
        SavedViewsController,
        MetaController,
        // before RecordsController, whose GET :id would match /export
        RecordTransferController,
        RecordActionsController,
        RecordsController,
        FilesController,
        ClusterVariablesController,
        WorkflowController,
        ApprovalInstancesController,
        // before TasksController: POST /api/tasks/actions is not a task id
        ApprovalTasksController,
        TasksController,
        InboxController,
        TimelineController,
        NotificationsController,
        AuthController,
        AdminController,
        UsersController,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
        {
          provide: DB,
          useFactory: (ds: DataSource) => new DataSourceDb(ds),
          inject: [getDataSourceToken()],
        },
        MetaService,
        RecordsService,
        RecordTransferService,
        FilesService,
        DeploymentsService,
        EngineService,
        // registers the engine's record hooks (triggers, record lock) with RecordsService
        RecordTriggers,
        RecordActionsService,
        TaskTypeRegistry,
        JobExecutorService,
        MailSenderService,
        InboxService,
        TimelineService,
        AuditService,
        IdentityService,
        // the approver functions read users and departments through the identity service's cache
        { provide: ORG_SOURCE, useExisting: IdentityService },
        AuthService,
        HeavyRequests,
        Lifecycle,
        SavedViewsService,
        { provide: APP_GUARD, useClass: AuthGuard },
        // after authentication: an anonymous caller learns nothing about a route's parameters
        { provide: APP_GUARD, useClass: KnownQueryParamsGuard },
      ],
    };
  }
}
