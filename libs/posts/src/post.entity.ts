import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A consular post: the bureau at home (kind "hq") or a mission abroad. */
@Entity({ name: 'post' })
export class Post {
  @PrimaryColumn('text')
  code!: string;

  @Column({ type: 'text' })
  kind!: 'hq' | 'embassy' | 'office';

  @Column({ name: 'name_en', type: 'text' })
  nameEn!: string;

  @Column({ name: 'name_zh', type: 'text' })
  nameZh!: string;

  @Column({ type: 'char', length: 3 })
  country!: string;

  @Column({ type: 'text' })
  city!: string;

  @Column({ name: 'time_zone', type: 'text' })
  timeZone!: string;

  @Column({ type: 'text', array: true })
  services!: string[];
}
