// The engine's data model. The plain constants live in src/shared/model.ts and the file formats'
// zod schemas in src/shared/schemas.ts, where the webviews can import them too; the engine goes on
// importing them from here.
export * from '../shared/model';
export * from '../shared/schemas';
