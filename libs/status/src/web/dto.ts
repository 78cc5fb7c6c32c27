import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsString, MaxLength } from 'class-validator';

// Types and sizes only: what the values mean is checked by the services, which answer the same
// way to the pages and to the API.

export class StatusLookupDto {
  @ApiProperty({ example: 'PP-7K3M-9QXP' })
  @IsString()
  @MaxLength(40)
  reference!: string;

  @ApiProperty({ example: 'CHEN' })
  @IsString()
  @MaxLength(100)
  surname!: string;

  @ApiProperty({ example: '1990-04-01', description: 'YYYY-MM-DD' })
  @IsString()
  @MaxLength(10)
  dateOfBirth!: string;
}

export class AccessTokenDto {
  @ApiProperty({ description: 'The `accessToken` of a case view (valid 30 minutes).' })
  @IsString()
  @MaxLength(2048)
  accessToken!: string;
}

export class LinkTokenDto {
  @ApiProperty({ description: 'The token of an emailed link (the last part of /status/link/<token> or /status/unsubscribe/<token>).' })
  @IsString()
  @MaxLength(2048)
  token!: string;
}

export class UpdatesDto extends AccessTokenDto {
  @ApiProperty({ description: 'true: every update by email; false: essential messages only.' })
  @IsBoolean()
  progressUpdates!: boolean;
}

export class CreateShareCodeDto extends AccessTokenDto {
  @ApiProperty({ format: 'uuid' })
  @IsString()
  @MaxLength(36)
  documentId!: string;
}

export class RevokeShareCodeDto extends AccessTokenDto {
  @ApiProperty({ format: 'uuid' })
  @IsString()
  @MaxLength(36)
  shareCodeId!: string;
}

export class CheckShareCodeDto {
  @ApiProperty({ example: 'K7M-3QX-9PA' })
  @IsString()
  @MaxLength(30)
  code!: string;

  @ApiProperty({ example: 'Example Recruitment Ltd' })
  @IsString()
  @MaxLength(120)
  organisation!: string;
}

export class RequestCodeDto {
  @ApiProperty({ example: 'mei@example.com' })
  @IsString()
  @MaxLength(254)
  email!: string;
}

export class VerifyCodeDto {
  @ApiProperty({ format: 'uuid' })
  @IsString()
  @MaxLength(36)
  proofId!: string;

  @ApiProperty({ example: '482913' })
  @IsString()
  @MaxLength(12)
  code!: string;
}
