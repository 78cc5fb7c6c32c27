import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** A seal is about 150 bytes; 2048 characters leaves room for hex with spaces and line breaks. */
export const MAX_SEAL_TEXT_LENGTH = 2048;

export class VerifySealDto {
  @ApiProperty({
    description: 'The seal as hex, RFC 4648 base32, or the text a QR reader gives for the raw bytes',
    maxLength: MAX_SEAL_TEXT_LENGTH,
    example: 'dc03…',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_SEAL_TEXT_LENGTH)
  seal!: string;
}
