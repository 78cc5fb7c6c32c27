export * from './post.entity.js';
export * from './posts.seed.js';
