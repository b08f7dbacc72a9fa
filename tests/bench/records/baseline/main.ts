import 'reflect-metadata';
import { Body, Controller, Get, HttpException, Module, Param, Post, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import Ajv from 'ajv';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  type Repository,
  UpdateDateColumn,
  VersionColumn,
  IsNull,
} from 'typeorm';

/**
 * The hand-written baseline: what a developer would write for one fixed entity with NestJS +
 * TypeORM, on a table identical to the generic engine's e_bench_item (same columns and indexes).
 */
@Entity('e_bench_item')
export class BenchItem {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'varchar', length: 64, nullable: true }) owner!: string | null;
  @Column({ name: 'created_by', type: 'varchar', length: 64, nullable: true }) createdBy!:
    string | null;
  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'updated_by', type: 'varchar', length: 64, nullable: true }) updatedBy!:
    string | null;
  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt!: Date;
  @VersionColumn({ type: 'int', default: 1 }) version!: number;
  @Column({ name: 'deleted_at', type: 'datetime', precision: 3, nullable: true })
  deletedAt!: Date | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) title!: string;
  @Index('ix_e_bench_item_status')
  @Column({ type: 'varchar', length: 64, nullable: true })
  status!: string;
  @Column({ type: 'decimal', precision: 12, scale: 2, nullable: true }) amount!: number | null;
}

const validate = new Ajv({ allErrors: true }).compile({
  type: 'object',
  additionalProperties: false,
  required: ['title', 'status'],
  properties: {
    title: { type: 'string', maxLength: 100 },
    status: { enum: ['open', 'won', 'lost'] },
    amount: { type: ['number', 'null'], minimum: 0 },
  },
});

const shape = (i: BenchItem) => ({
  ...i,
  id: Number(i.id),
  amount: i.amount === null ? null : Number(i.amount),
});

@Controller('items')
class ItemsController {
  constructor(@InjectRepository(BenchItem) private readonly repo: Repository<BenchItem>) {}

  @Post()
  async create(@Body() body: Partial<BenchItem>) {
    if (!validate(body)) throw new HttpException({ statusCode: 400, errors: validate.errors }, 400);
    const saved = await this.repo.save(
      this.repo.create({ ...body, owner: 'bench', createdBy: 'bench', updatedBy: 'bench' }),
    );
    return shape(saved);
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    const item = await this.repo.findOne({ where: { id, deletedAt: IsNull() } });
    if (!item) throw new HttpException({ statusCode: 404 }, 404);
    return shape(item);
  }

  @Get()
  async list(@Query('status') status: string, @Query('limit') limit = '50') {
    const rows = await this.repo.find({
      where: { status, deletedAt: IsNull() },
      order: { id: 'ASC' },
      take: Number(limit) + 1,
    });
    return { data: rows.slice(0, Number(limit)).map(shape), more: rows.length > Number(limit) };
  }
}

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'mysql',
      url: process.env.DATABASE_URL,
      entities: [BenchItem],
      synchronize: true,
      timezone: 'Z',
      poolSize: 10,
    }),
    TypeOrmModule.forFeature([BenchItem]),
  ],
  controllers: [ItemsController],
})
class BaselineModule {}

async function main() {
  const app = await NestFactory.create(BaselineModule, { logger: ['error'] });
  await app.listen(Number(process.env.PORT));
  process.stdout.write(`baseline serving on ${process.env.PORT}\n`);
}
void main();
