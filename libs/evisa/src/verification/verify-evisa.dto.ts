import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** Generous for what people type (spaces, hyphens); the numbers themselves are 9 characters. */
export const MAX_DOCUMENT_NUMBER_LENGTH = 20;

export class VerifyEvisaDto {
  @ApiProperty({ description: 'The visa number printed on the eVisa', example: 'EV0000123', maxLength: MAX_DOCUMENT_NUMBER_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_DOCUMENT_NUMBER_LENGTH)
  visaNumber!: string;

  @ApiProperty({
    description: 'The number of the passport the eVisa was issued for',
    example: 'P1234567A',
    maxLength: MAX_DOCUMENT_NUMBER_LENGTH,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_DOCUMENT_NUMBER_LENGTH)
  passportNumber!: string;
}
