import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AuthenticatedOfficer, OfficerRoute } from '@app/platform';
import { DashboardService } from './dashboard.service.js';
import { DecisionService } from './decision.service.js';
import { AssignmentDto, DecisionDto, NoteDto, QueueQueryDto } from './dto.js';
import { ReviewQueueService } from './review-queue.service.js';
import { WorkspaceService } from './workspace.service.js';
import { AlertsService } from './alerts.service.js';

const officerOf = (request: FastifyRequest): AuthenticatedOfficer => request.officer!;

@ApiTags('officer')
@ApiBearerAuth()
@OfficerRoute()
@Controller('api/v1/officer')
export class ReviewApiController {
  constructor(
    private readonly queue: ReviewQueueService,
    private readonly decisions: DecisionService,
    private readonly workspace: WorkspaceService,
    private readonly dashboard: DashboardService,
    private readonly alerts: AlertsService,
  ) {}

  @Get('queue')
  list(@Req() request: FastifyRequest, @Query() query: QueueQueryDto) {
    return this.queue.list(officerOf(request), { ...query, postCode: query.post });
  }

  @Post('queue/claim-next')
  @HttpCode(200)
  async claimNext(@Req() request: FastifyRequest) {
    return { case: await this.queue.claimNext(officerOf(request)) };
  }

  @Get('cases/:id')
  open(@Req() request: FastifyRequest, @Param('id', ParseUUIDPipe) id: string) {
    return this.workspace.open(officerOf(request), id, request.t);
  }

  @Post('cases/:id/actions')
  @HttpCode(200)
  async decide(@Req() request: FastifyRequest, @Param('id', ParseUUIDPipe) id: string, @Body() body: DecisionDto) {
    const decided = await this.decisions.decide(officerOf(request), id, body);
    return { id: decided.id, reference: decided.reference, status: decided.status, version: decided.version };
  }

  @Post('cases/:id/notes')
  @HttpCode(201)
  async note(@Req() request: FastifyRequest, @Param('id', ParseUUIDPipe) id: string, @Body() body: NoteDto) {
    await this.decisions.addNote(officerOf(request), id, body.text);
    return { added: true };
  }

  @Post('cases/:id/release')
  @HttpCode(200)
  async release(@Req() request: FastifyRequest, @Param('id', ParseUUIDPipe) id: string) {
    await this.queue.release(officerOf(request), id);
    return { released: true };
  }

  @Get('cases/:id/files/:fileId')
  async file(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('fileId', ParseUUIDPipe) fileId: string,
  ): Promise<void> {
    const { bytes, mimeType } = await this.workspace.file(officerOf(request), id, fileId);
    await sendInline(reply, bytes, mimeType);
  }

  @Get('alerts')
  myAlerts(@Req() request: FastifyRequest) {
    return this.alerts.unread(officerOf(request));
  }

  @Post('assignments')
  @OfficerRoute('supervisor')
  @HttpCode(200)
  assign(@Req() request: FastifyRequest, @Body() body: AssignmentDto) {
    return this.queue.assign(officerOf(request), body.caseIds, body.officerId ?? null);
  }

  @Get('dashboard')
  @OfficerRoute('supervisor')
  async overview(@Req() request: FastifyRequest) {
    const { health, days } = await this.dashboard.build(officerOf(request), { decisions: 'decisions', median: 'median hours' });
    return { health, days };
  }
}

/** Uploads are shown inline only as the image or PDF they were sniffed to be, in a sandbox, never as HTML. */
export async function sendInline(reply: FastifyReply, bytes: Buffer, mimeType: string): Promise<void> {
  await reply
    .header('content-type', mimeType)
    .header('content-disposition', 'inline')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
    .header('cache-control', 'private, no-store')
    .send(bytes);
}
