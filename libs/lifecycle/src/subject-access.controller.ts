import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OfficerRoute } from '@app/platform';
import { SubjectAccessRequestDto } from './subject-access.dto.js';
import { SubjectAccessService } from './subject-access.service.js';

@ApiTags('officer')
@ApiBearerAuth()
@Controller('api/v1/officer/subject-access-exports')
export class SubjectAccessController {
  constructor(private readonly exports: SubjectAccessService) {}

  @Post()
  @OfficerRoute('supervisor')
  @HttpCode(200)
  @ApiOperation({ summary: 'Everything held about one person (subject access request), found by case reference and/or email; audited' })
  async create(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: SubjectAccessRequestDto) {
    const document = await this.exports.export(request.officer!, body, request.ip);
    void reply.header('cache-control', 'private, no-store');
    return document;
  }
}
