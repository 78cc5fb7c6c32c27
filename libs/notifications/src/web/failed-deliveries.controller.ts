import { Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { OfficerRoute } from '@app/platform';
import { type DeliveryPage, type DeliveryView, NotificationQueries } from '../notification.queries.js';

export class FailedDeliveriesQuery {
  @ApiPropertyOptional({ description: 'The `next` cursor of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

class DeliveryIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsString()
  @MaxLength(36)
  id!: string;
}

@ApiTags('notifications')
@OfficerRoute('supervisor')
@Controller('api/v1/notifications')
export class FailedDeliveriesApiController {
  constructor(private readonly queries: NotificationQueries) {}

  @Get('failed')
  @ApiOperation({ summary: 'Deliveries to applicants that failed or whose outcome is unknown, newest first (keyset pagination).' })
  failed(@Query() query: FailedDeliveriesQuery): Promise<DeliveryPage> {
    return this.queries.failedDeliveries({ after: query.after, limit: query.limit });
  }

  @Post(':id/resend')
  @ApiOperation({ summary: 'Queue a failed or unknown delivery to be sent again (a new outbox job).' })
  resend(@Param() params: DeliveryIdParam): Promise<DeliveryView> {
    return this.queries.resend(params.id);
  }
}

@ApiExcludeController()
@OfficerRoute('supervisor')
@Controller('officer/notifications')
export class FailedDeliveriesPageController {
  constructor(private readonly queries: NotificationQueries) {}

  @Get('failed')
  async failed(@Query() query: Record<string, unknown>, @Res() reply: FastifyReply): Promise<FastifyReply> {
    // A raw query object: pages also carry ?lang=, which a whitelisting DTO would refuse.
    const page = await this.queries.failedDeliveries({ after: typeof query.after === 'string' ? query.after : null, limit: 50 });
    const resent = typeof query.resent === 'string' ? await this.queries.delivery(query.resent) : null;
    return reply.view('notifications/officer/failed.njk', { page, resent });
  }

  @Post(':id/resend')
  async resend(@Param() params: DeliveryIdParam, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const view = await this.queries.resend(params.id);
    return reply.redirect(`/officer/notifications/failed?resent=${encodeURIComponent(view.id)}`, 303);
  }
}
