import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AuthenticatedOfficer, Clock, postScopeOf } from '@app/platform';
import { type PostHealth, ReviewQueueService } from './review-queue.service.js';

export interface DayFigures {
  day: string;
  decisions: number;
  medianHoursToDecision: number | null;
}

export interface Dashboard {
  health: PostHealth[];
  days: DayFigures[];
  chartSvg: string;
}

const DAYS = 14;

/** Queue health per post and service, decisions per day and the median time to decision. */
@Injectable()
export class DashboardService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: ReviewQueueService,
    private readonly clock: Clock,
  ) {}

  async build(officer: AuthenticatedOfficer, labels: { decisions: string; median: string }): Promise<Dashboard> {
    const now = this.clock.now();
    const scope = postScopeOf(officer);
    const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (DAYS - 1)));
    const rows = (await this.dataSource.query(
      `SELECT to_char(date_trunc('day', decided_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day,
              count(*)::int AS decisions,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM decided_at - COALESCE(submitted_at, created_at)))::float AS median
         FROM "case"
        WHERE decided_at >= $1 AND decided_at <= $2 AND ($3::text IS NULL OR post_code = $3)
        GROUP BY 1 ORDER BY 1`,
      [since, now, scope.allPosts ? null : scope.postCode],
    )) as { day: string; decisions: number; median: number | null }[];
    const byDay = new Map(rows.map((r) => [r.day, r]));
    const days: DayFigures[] = [];
    for (let i = 0; i < DAYS; i++) {
      const day = new Date(since.getTime() + i * 86_400_000).toISOString().slice(0, 10);
      const row = byDay.get(day);
      days.push({
        day,
        decisions: row?.decisions ?? 0,
        medianHoursToDecision: row?.median != null ? Math.round((row.median / 3600) * 10) / 10 : null,
      });
    }
    return { health: await this.queue.health(officer), days, chartSvg: trendChart(days, labels) };
  }
}

/** A small bar-and-line chart as SVG markup: rendered on the server, needs no JavaScript. */
export function trendChart(days: DayFigures[], labels: { decisions: string; median: string }): string {
  const width = 640;
  const height = 220;
  const pad = { left: 40, right: 40, top: 16, bottom: 40 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const maxDecisions = Math.max(1, ...days.map((d) => d.decisions));
  const maxHours = Math.max(1, ...days.map((d) => d.medianHoursToDecision ?? 0));
  const slot = plotW / days.length;
  const bars = days
    .map((d, i) => {
      const h = (d.decisions / maxDecisions) * plotH;
      const x = pad.left + i * slot + slot * 0.15;
      return `<rect x="${x.toFixed(1)}" y="${(pad.top + plotH - h).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="#1d70b8"><title>${d.day}: ${d.decisions}</title></rect>`;
    })
    .join('');
  const points = days
    .map((d, i) =>
      d.medianHoursToDecision === null
        ? null
        : `${(pad.left + i * slot + slot / 2).toFixed(1)},${(pad.top + plotH - (d.medianHoursToDecision / maxHours) * plotH).toFixed(1)}`,
    )
    .filter((p): p is string => p !== null);
  const line = points.length > 1 ? `<polyline points="${points.join(' ')}" fill="none" stroke="#d4351c" stroke-width="3"/>` : '';
  const dots = points.map((p) => `<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="4" fill="#d4351c"/>`).join('');
  const ticks = days
    .filter((_, i) => i % 2 === 0)
    .map((d) => {
      const i = days.indexOf(d);
      return `<text x="${(pad.left + i * slot + slot / 2).toFixed(1)}" y="${height - 18}" font-size="11" text-anchor="middle" fill="#0b0c0c">${d.day.slice(5)}</text>`;
    })
    .join('');
  const axes = `<line x1="${pad.left}" y1="${pad.top + plotH}" x2="${width - pad.right}" y2="${pad.top + plotH}" stroke="#0b0c0c"/>`;
  const legend =
    `<rect x="${pad.left}" y="${height - 12}" width="10" height="10" fill="#1d70b8"/><text x="${pad.left + 14}" y="${height - 3}" font-size="11" fill="#0b0c0c">${escapeXml(labels.decisions)} (max ${maxDecisions})</text>` +
    `<rect x="${pad.left + 240}" y="${height - 12}" width="10" height="10" fill="#d4351c"/><text x="${pad.left + 254}" y="${height - 3}" font-size="11" fill="#0b0c0c">${escapeXml(labels.median)} (max ${maxHours} h)</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(labels.decisions)}">${axes}${bars}${line}${dots}${ticks}${legend}</svg>`;
}

function escapeXml(value: string): string {
  return value.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}
