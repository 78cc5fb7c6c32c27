import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_NOTE } from '../emergency.service.js';
import { CONTACT_CHANNELS, PRIORITIES } from '../settings.js';

/** The shapes of the officers' JSON commands; what they mean (consent, lengths, the next status) is the service's to check. */
export class VersionDto {
  @ApiProperty({ description: 'The case version you saw' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  expectedVersion!: number;
}

export class TriageDto extends VersionDto {
  @ApiProperty({ enum: PRIORITIES, description: '1 (life or liberty at immediate risk) to 4 (advice)' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(4)
  priority!: number;
}

export class ResolutionDto extends VersionDto {
  @ApiProperty({ maxLength: MAX_NOTE, description: 'Shown to the reporter when consent allows' })
  @IsString()
  @MaxLength(MAX_NOTE)
  resolutionNote!: string;
}

export class ContactDto {
  @ApiProperty({ enum: CONTACT_CHANNELS })
  @IsIn(CONTACT_CHANNELS)
  channel!: string;

  @ApiProperty({ maxLength: MAX_NOTE })
  @IsString()
  @MaxLength(MAX_NOTE)
  note!: string;

  @ApiPropertyOptional({ description: 'Share the note with the reporter (needs the person’s consent unless they reported it)' })
  @IsOptional()
  @IsBoolean()
  share?: boolean;
}
