import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, MaxLength } from 'class-validator';

// Surrogate code units never belong in a reference or an address; replacing them up front keeps
// the validators (IsEmail throws on lone surrogates) answering 400 instead of failing.
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.replace(/[\uD800-\uDFFF]/g, '\uFFFD').trim() : value);

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
