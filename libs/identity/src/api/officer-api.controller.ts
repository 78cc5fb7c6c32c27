import { Controller, Delete, Get, HttpCode, Param, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { OfficerRoute } from '@app/platform';
import { AccessTokenService } from '../tokens/access-token.service.js';

/**
 * The officer's own identity on the JSON API. Authenticate with `Authorization: Bearer cpat_…`
 * (a personal access token, no CSRF token needed) or with the session cookie, in which case every
 * write must also send `X-CSRF-Token` (the `csrfToken` returned by GET /api/v1/officer/me).
 */
@ApiTags('officer')
@ApiBearerAuth()
@OfficerRoute()
@Controller('api/v1/officer')
export class OfficerApiController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: AccessTokenService,
  ) {}

  @Get('me')
  @ApiOperation({ summary: 'Who is calling: the officer, their roles and post, and (session only) the CSRF token for writes' })
  me(@Req() request: FastifyRequest) {
    const officer = request.officer!;
    return {
      id: officer.id,
      username: officer.username,
      displayName: officer.displayName,
      roles: officer.roles,
      postCode: officer.postCode,
      seesAllPosts: officer.seesAllPosts,
      authenticatedBy: request.credentials?.kind ?? null,
      csrfToken: request.credentials?.kind === 'session' ? request.csrfToken : undefined,
    };
  }

  @Get('tokens')
  @ApiOperation({ summary: 'The caller’s personal access tokens (never the tokens themselves)' })
  async listTokens(@Req() request: FastifyRequest) {
    const tokens = await this.tokens.list(request.officer!.id);
    return {
      items: tokens.map((t) => ({
        id: t.id,
        name: t.name,
        tokenHint: t.tokenHint,
        createdAt: t.createdAt,
        expiresAt: t.expiresAt,
        lastUsedAt: t.lastUsedAt,
        revokedAt: t.revokedAt,
      })),
    };
  }

  @Delete('tokens/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke one of the caller’s personal access tokens' })
  async revokeToken(@Req() request: FastifyRequest, @Param('id') id: string): Promise<void> {
    await this.dataSource.transaction((manager) => this.tokens.revoke(manager, request.officer!, id, request.ip));
  }
}
