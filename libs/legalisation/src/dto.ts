import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsPastDate, type Locale, LOCALES, msg, ToCount, Trim } from '@app/platform';
import { type Delivery, type Direction, loadLegalisationSettings, SERVICE_LEVELS, type ServiceLevel } from './settings.js';

// What a form may hold is policy (libs/legalisation/data/legalisation.json), read once as the DTOs load.
const SETTINGS = loadLegalisationSettings();
const MAX_COPIES = SETTINGS.maxCopiesPerItem;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9][0-9 ()-]{5,19}$/;

/** Who the request is for: the page "Your details" and `applicant` in the API. */
export class ApplicantDto {
  @ApiProperty({ example: 'Mei-Ling', maxLength: 100 })
  @Trim()
  @IsString(msg('legalisation.err.givenNamesRequired'))
  @IsNotEmpty(msg('legalisation.err.givenNamesRequired'))
  @MaxLength(100, msg('legalisation.err.tooLong', { max: 100 }))
  givenNames!: string;

  @ApiProperty({ example: 'Chen', maxLength: 100 })
  @Trim()
  @IsString(msg('legalisation.err.surnameRequired'))
  @IsNotEmpty(msg('legalisation.err.surnameRequired'))
  @MaxLength(100, msg('legalisation.err.tooLong', { max: 100 }))
  surname!: string;

  @ApiProperty({ example: '1990-04-27', description: 'YYYY-MM-DD, in the past' })
  @Trim()
  @IsPastDate(msg('legalisation.err.dateOfBirth'))
  dateOfBirth!: string;

  @ApiProperty({ example: 'mei@example.com', maxLength: 254 })
  @Trim()
  @Matches(EMAIL, msg('legalisation.err.email'))
  @MaxLength(254, msg('legalisation.err.email'))
  email!: string;

  @ApiPropertyOptional({ example: '+886 2 2343 2888' })
  @Trim()
  @ValidateIf((o: ApplicantDto) => o.phone !== undefined && o.phone !== '')
  @Matches(PHONE, msg('legalisation.err.phone'))
  phone: string = '';

  @ApiProperty({ enum: LOCALES, description: 'The language of emails and documents' })
  @IsIn(LOCALES, msg('legalisation.err.locale'))
  locale!: Locale;
}

/** One document to authenticate. */
export class ItemDto {
  @ApiProperty({ enum: SETTINGS.documentTypes })
  @IsIn(SETTINGS.documentTypes, msg('legalisation.err.documentType'))
  documentType!: string;

  @ApiProperty({ example: 'Japan', maxLength: 60 })
  @Trim()
  @IsString(msg('legalisation.err.issuingCountry'))
  @IsNotEmpty(msg('legalisation.err.issuingCountry'))
  @MaxLength(60, msg('legalisation.err.tooLong', { max: 60 }))
  issuingCountry!: string;

  @ApiProperty({ minimum: 1, maximum: MAX_COPIES, example: 1 })
  @ToCount()
  @IsInt(msg('legalisation.err.originals', { max: MAX_COPIES }))
  @Min(1, msg('legalisation.err.originals', { max: MAX_COPIES }))
  @Max(MAX_COPIES, msg('legalisation.err.originals', { max: MAX_COPIES }))
  originals!: number;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_COPIES, default: 0 })
  @ToCount({ emptyIs: 0 })
  @IsInt(msg('legalisation.err.extraCopies', { max: MAX_COPIES }))
  @Min(0, msg('legalisation.err.extraCopies', { max: MAX_COPIES }))
  @Max(MAX_COPIES, msg('legalisation.err.extraCopies', { max: MAX_COPIES }))
  extraCopies: number = 0;

  @ApiProperty({ example: 'Bachelor degree certificate, Kyoto University', maxLength: 200 })
  @Trim()
  @IsString(msg('legalisation.err.descriptionRequired'))
  @IsNotEmpty(msg('legalisation.err.descriptionRequired'))
  @MaxLength(200, msg('legalisation.err.tooLong', { max: 200 }))
  description!: string;
}

/** What the documents are for, how fast, and how they come back. */
export class OptionsDto {
  @ApiProperty({ enum: SETTINGS.directions })
  @IsIn(SETTINGS.directions, msg('legalisation.err.direction'))
  direction!: Direction;

  @ApiProperty({ enum: SERVICE_LEVELS })
  @IsIn(SERVICE_LEVELS, msg('legalisation.err.serviceLevel'))
  serviceLevel!: ServiceLevel;

  @ApiProperty({ enum: SETTINGS.delivery })
  @IsIn(SETTINGS.delivery, msg('legalisation.err.delivery'))
  delivery!: Delivery;

  @ApiPropertyOptional({ description: 'Required when delivery is mail', maxLength: 500 })
  @Trim()
  @ValidateIf((o: OptionsDto) => o.delivery === 'mail')
  @IsString(msg('legalisation.err.mailingAddress'))
  @IsNotEmpty(msg('legalisation.err.mailingAddress'))
  @MaxLength(500, msg('legalisation.err.tooLong', { max: 500 }))
  mailingAddress?: string;
}

export class PostChoiceDto {
  @ApiProperty({ example: 'JP-TYO' })
  @Trim()
  @IsString(msg('legalisation.err.post'))
  @IsNotEmpty(msg('legalisation.err.post'))
  @MaxLength(20, msg('legalisation.err.post'))
  postCode!: string;
}

export class SlotChoiceDto {
  @ApiProperty({ example: '1234', description: 'A free slot of the post (GET /api/v1/legalisation/posts/:postCode/slots)' })
  @Trim()
  @Matches(/^\d{1,18}$/, msg('legalisation.err.slot'))
  slotId!: string;
}

/** `POST /api/v1/legalisation/requests`: the whole request with its appointment, in one body. */
export class SubmitRequestDto extends OptionsDto {
  @ApiProperty({ type: ApplicantDto })
  @ValidateNested()
  @Type(() => ApplicantDto)
  applicant!: ApplicantDto;

  @ApiProperty({ type: [ItemDto], minItems: 1, maxItems: SETTINGS.maxItems })
  @IsArray(msg('legalisation.err.itemsCount', { max: SETTINGS.maxItems }))
  @ArrayMinSize(1, msg('legalisation.err.itemsCount', { max: SETTINGS.maxItems }))
  @ArrayMaxSize(SETTINGS.maxItems, msg('legalisation.err.itemsCount', { max: SETTINGS.maxItems }))
  @ValidateNested({ each: true })
  @Type(() => ItemDto)
  items!: ItemDto[];

  @ApiProperty({ example: 'JP-TYO' })
  @Trim()
  @IsString(msg('legalisation.err.post'))
  @IsNotEmpty(msg('legalisation.err.post'))
  postCode!: string;

  @ApiProperty({ example: '1234' })
  @Trim()
  @Matches(/^\d{1,18}$/, msg('legalisation.err.slot'))
  slotId!: string;
}
