import fs from 'node:fs';
import path from 'node:path';
import type { EntityManager } from 'typeorm';
import { projectRoot } from '@app/platform';

interface PostSeed {
  code: string;
  kind: 'hq' | 'embassy' | 'office';
  nameEn: string;
  nameZh: string;
  country: string;
  city: string;
  timeZone: string;
}

export function samplePosts(): PostSeed[] {
  const file = path.join(projectRoot(), 'libs/posts/data/posts.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { posts: PostSeed[] }).posts;
}

/** Loads the sample posts; safe to run again (it updates names and time zones in place). */
export async function seedPosts(manager: EntityManager, posts: PostSeed[] = samplePosts()): Promise<number> {
  for (const post of posts) {
    await manager.query(
      `INSERT INTO post (code, kind, name_en, name_zh, country, city, time_zone)
       VALUES ($1,$2,$3,$4,$5,$6,$7)
       ON CONFLICT (code) DO UPDATE SET kind = EXCLUDED.kind, name_en = EXCLUDED.name_en, name_zh = EXCLUDED.name_zh,
         country = EXCLUDED.country, city = EXCLUDED.city, time_zone = EXCLUDED.time_zone, updated_at = now()`,
      [post.code, post.kind, post.nameEn, post.nameZh, post.country, post.city, post.timeZone],
    );
  }
  return posts.length;
}
