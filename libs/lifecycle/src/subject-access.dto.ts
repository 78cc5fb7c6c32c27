import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, MaxLength } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Whose data to export: a case reference, an email address, or both. Sent in the body, never the URL. */
export class SubjectAccessRequestDto {
  @ApiPropertyOptional({ example: 'EV-7K3M-9QXP', description: 'A case reference: that case and every case with the same applicant email' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(40)
  reference?: string;

  @ApiPropertyOptional({ description: 'The applicant’s email address, matched exactly through its blind index' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email?: string;
}
