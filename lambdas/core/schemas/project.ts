import * as z from 'zod';
import { Description, Id, Name } from './common.js';

export const Project = z.object({ id: Id, name: z.string(), description: z.string() }).meta({ id: 'Project' });
export type Project = z.infer<typeof Project>;

export const CreateProject = z.object({ name: Name, description: Description }).meta({ id: 'CreateProject' });
export type CreateProject = z.infer<typeof CreateProject>;
