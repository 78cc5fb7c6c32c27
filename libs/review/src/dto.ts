import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';

const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' || value === true ? true : value === 'false' || value === false ? false : value;

export class QueueQueryDto {
  /** A service of the catalogue (checked by the queue, which knows them). */
  @ApiPropertyOptional({ description: 'The id of a service in the catalogue' })
  @IsOptional()
  @Matches(/^[a-z][a-z-]{1,30}$/)
  service?: string;

  /** A status in which some service's cases wait for an officer (checked by the queue). */
  @ApiPropertyOptional({ example: 'SUBMITTED' })
  @IsOptional()
  @Matches(/^[A-Z][A-Z_]{1,40}$/)
  status?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 4 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(4)
  priority?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  overdue?: boolean;

  @ApiPropertyOptional({ enum: ['me', 'unassigned'] })
  @IsOptional()
  @IsIn(['me', 'unassigned'])
  assigned?: 'me' | 'unassigned';

  @ApiPropertyOptional({ description: 'Post code; only for officers who see every post' })
  @IsOptional()
  @Matches(/^[A-Z]{2}-[A-Z]{3}$/)
  post?: string;

  @ApiPropertyOptional({ description: 'Cursor from the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class DecisionDto {
  @ApiProperty({ enum: ['approve', 'refuse', 'requestInfo'] })
  @IsIn(['approve', 'refuse', 'requestInfo'])
  action!: 'approve' | 'refuse' | 'requestInfo';

  @ApiProperty({ description: 'The case version you saw' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  expectedVersion!: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  reasonCode?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  text?: string;

  @ApiPropertyOptional({ example: '2026-12-31' })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  deadline?: string;
}

export class NoteDto {
  @ApiProperty({ maxLength: 2000 })
  @IsString()
  @MaxLength(2000)
  text!: string;
}

export class AssignmentDto {
  @ApiProperty({ type: [String] })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value))
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true })
  caseIds!: string[];

  @ApiPropertyOptional({ nullable: true, description: 'null (or empty) to unassign' })
  @Transform(({ value }: { value: unknown }) => (value === '' ? null : value))
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsUUID()
  officerId!: string | null;
}
