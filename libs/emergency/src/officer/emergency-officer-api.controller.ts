import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { type AuthenticatedOfficer, OfficerRoute } from '@app/platform';
import { EmergencyService } from '../emergency.service.js';
import { ContactDto, ResolutionDto, TriageDto, VersionDto } from './emergency-officer.dto.js';

const officerOf = (request: FastifyRequest): AuthenticatedOfficer => request.officer!;

/**
 * The officers' emergency work as JSON, for the same people and with the same rules as the pages:
 * officers and supervisors of the case's post (another post's case is 404 unless they see every
 * post); each status change carries the version the officer saw, and a stale one is 409.
 */
@ApiTags('officer: emergency')
@OfficerRoute('officer', 'supervisor')
@Controller('api/v1/officer/emergency')
export class EmergencyOfficerApiController {
  constructor(private readonly emergencies: EmergencyService) {}

  @Get(':id')
  @ApiOperation({ summary: 'The report, its contact log and the case status (reading it is audited)' })
  async view(@Req() request: FastifyRequest, @Param('id', ParseUUIDPipe) id: string) {
    const { case: record, ...details } = await this.emergencies.view(officerOf(request), id);
    return {
      case: { id: record.id, reference: record.reference, status: record.status, postCode: record.postCode, version: record.version },
      reporter: this.emergencies.reporter(record),
      ...details,
    };
  }

  @Post(':id/triage')
  @HttpCode(204)
  @ApiOperation({ summary: 'REPORTED → TRIAGED with a priority (1–4), which sets when first contact is due' })
  async triage(@Req() request: FastifyRequest, @Param('id', ParseUUIDPipe) id: string, @Body() body: TriageDto): Promise<void> {
    await this.emergencies.triage(officerOf(request), id, body.expectedVersion, String(body.priority), request.t);
  }

  @Post(':id/start')
  @HttpCode(204)
  @ApiOperation({ summary: 'TRIAGED → IN_PROGRESS' })
  async start(@Req() request: FastifyRequest, @Param('id', ParseUUIDPipe) id: string, @Body() body: VersionDto): Promise<void> {
    await this.emergencies.startWork(officerOf(request), id, body.expectedVersion);
  }

  @Post(':id/contacts')
  @HttpCode(204)
  @ApiOperation({ summary: 'Log a contact; shared with the reporter only when the person consented (or is the reporter)' })
  async contact(@Req() request: FastifyRequest, @Param('id', ParseUUIDPipe) id: string, @Body() body: ContactDto): Promise<void> {
    await this.emergencies.logContact(
      officerOf(request),
      id,
      { channel: body.channel, note: body.note, share: body.share ?? false },
      request.t,
    );
  }

  @Post(':id/resolve')
  @HttpCode(204)
  @ApiOperation({ summary: 'IN_PROGRESS → RESOLVED with a resolution note' })
  async resolve(@Req() request: FastifyRequest, @Param('id', ParseUUIDPipe) id: string, @Body() body: ResolutionDto): Promise<void> {
    await this.emergencies.resolve(officerOf(request), id, body.expectedVersion, body.resolutionNote, request.t);
  }

  @Post(':id/close')
  @HttpCode(204)
  @ApiOperation({ summary: 'RESOLVED → CLOSED' })
  async close(@Req() request: FastifyRequest, @Param('id', ParseUUIDPipe) id: string, @Body() body: VersionDto): Promise<void> {
    await this.emergencies.close(officerOf(request), id, body.expectedVersion);
  }
}
