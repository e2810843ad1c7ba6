// The question bank over HTTP, for staff: skills, role templates, questions and upload tasks.
import { z } from 'zod';
import type { Ctx } from '../../context.js';
import { metaOf, staffOf } from '../../http/access.js';
import type { App } from '../../http/app-types.js';
import { idParam, staffErrors } from '../../http/schemas.js';
import {
  createQuestionBody,
  createUploadTaskBody,
  questionDetailSchema,
  questionListQuery,
  questionSchema,
  roleTemplateSchema,
  skillSchema,
  skillsQuery,
  updateQuestionBody,
  updateUploadTaskBody,
  uploadTaskDetailSchema,
  uploadTaskListQuery,
  uploadTaskSummarySchema,
} from './bank.schemas.js';
import * as bank from './bank.service.js';

const read = { access: { kind: 'staff', permission: 'bank.read' } } as const;
const write = { access: { kind: 'staff', permission: 'bank.write' } } as const;
const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export function registerBankRoutes(app: App, ctx: Ctx): void {
  app.get(
    '/api/v1/skills',
    {
      config: read,
      schema: {
        operationId: 'listSkills',
        tags: ['bank'],
        summary: 'The skills taxonomy with subtopics; `q` finds a skill by name or alias',
        querystring: skillsQuery,
        response: { 200: z.object({ items: z.array(skillSchema) }), ...staffErrors },
      },
    },
    async (req) => bank.listSkills(ctx, staffOf(req), req.query),
  );

  app.get(
    '/api/v1/role-templates',
    {
      config: read,
      schema: {
        operationId: 'listRoleTemplates',
        tags: ['bank'],
        summary: 'Role templates: subtopic weights, difficulty mix, question count, time and upload tasks',
        response: { 200: z.object({ items: z.array(roleTemplateSchema) }), ...staffErrors },
      },
    },
    async (req) => bank.listRoleTemplates(ctx, staffOf(req)),
  );

  app.get(
    '/api/v1/questions',
    {
      config: read,
      schema: {
        operationId: 'listQuestions',
        tags: ['bank'],
        summary: 'Questions of the built-in library and your organization, with answer keys',
        querystring: questionListQuery,
        response: { 200: page(questionSchema), ...staffErrors },
      },
    },
    async (req) => bank.listQuestions(ctx, staffOf(req), req.query),
  );

  app.get(
    '/api/v1/questions/:questionId',
    {
      config: read,
      schema: {
        operationId: 'getQuestion',
        tags: ['bank'],
        summary: 'A question with every version, newest first',
        params: idParam('questionId'),
        response: { 200: questionDetailSchema, ...staffErrors },
      },
    },
    async (req) => bank.getQuestion(ctx, staffOf(req), req.params.questionId as string),
  );

  app.post(
    '/api/v1/questions',
    {
      config: write,
      schema: {
        operationId: 'createQuestion',
        tags: ['bank'],
        summary: 'Write a custom question for your organization',
        body: createQuestionBody,
        response: { 201: questionDetailSchema, ...staffErrors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await bank.createQuestion(ctx, staffOf(req), req.body, metaOf(req))),
  );

  app.patch(
    '/api/v1/questions/:questionId',
    {
      config: write,
      schema: {
        operationId: 'updateQuestion',
        tags: ['bank'],
        summary: 'Change a custom question; a change makes a new version and keeps the old ones',
        params: idParam('questionId'),
        body: updateQuestionBody,
        response: { 200: questionDetailSchema, ...staffErrors },
      },
    },
    async (req) =>
      bank.updateQuestion(ctx, staffOf(req), req.params.questionId as string, req.body, metaOf(req)),
  );

  app.post(
    '/api/v1/questions/:questionId/retire',
    {
      config: write,
      schema: {
        operationId: 'retireQuestion',
        tags: ['bank'],
        summary: 'Take a custom question out of new draws (past attempts keep it)',
        params: idParam('questionId'),
        response: { 200: questionDetailSchema, ...staffErrors },
      },
    },
    async (req) =>
      bank.setQuestionRetired(ctx, staffOf(req), req.params.questionId as string, true, metaOf(req)),
  );

  app.post(
    '/api/v1/questions/:questionId/restore',
    {
      config: write,
      schema: {
        operationId: 'restoreQuestion',
        tags: ['bank'],
        summary: 'Put a retired custom question back into draws',
        params: idParam('questionId'),
        response: { 200: questionDetailSchema, ...staffErrors },
      },
    },
    async (req) =>
      bank.setQuestionRetired(ctx, staffOf(req), req.params.questionId as string, false, metaOf(req)),
  );

  app.get(
    '/api/v1/upload-tasks',
    {
      config: read,
      schema: {
        operationId: 'listUploadTasks',
        tags: ['bank'],
        summary: 'Upload tasks of the built-in library and your organization',
        querystring: uploadTaskListQuery,
        response: { 200: page(uploadTaskSummarySchema), ...staffErrors },
      },
    },
    async (req) => bank.listUploadTasks(ctx, staffOf(req), req.query),
  );

  app.get(
    '/api/v1/upload-tasks/:taskId',
    {
      config: read,
      schema: {
        operationId: 'getUploadTask',
        tags: ['bank'],
        summary: 'An upload task with its rubric, reviewer notes and every version',
        params: idParam('taskId'),
        response: { 200: uploadTaskDetailSchema, ...staffErrors },
      },
    },
    async (req) => bank.getUploadTask(ctx, staffOf(req), req.params.taskId as string),
  );

  app.post(
    '/api/v1/upload-tasks',
    {
      config: write,
      schema: {
        operationId: 'createUploadTask',
        tags: ['bank'],
        summary: 'Write a custom upload task for your organization',
        body: createUploadTaskBody,
        response: { 201: uploadTaskDetailSchema, ...staffErrors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await bank.createUploadTask(ctx, staffOf(req), req.body, metaOf(req))),
  );

  app.patch(
    '/api/v1/upload-tasks/:taskId',
    {
      config: write,
      schema: {
        operationId: 'updateUploadTask',
        tags: ['bank'],
        summary: 'Change a custom upload task; a change makes a new version and keeps the old ones',
        params: idParam('taskId'),
        body: updateUploadTaskBody,
        response: { 200: uploadTaskDetailSchema, ...staffErrors },
      },
    },
    async (req) =>
      bank.updateUploadTask(ctx, staffOf(req), req.params.taskId as string, req.body, metaOf(req)),
  );

  app.post(
    '/api/v1/upload-tasks/:taskId/retire',
    {
      config: write,
      schema: {
        operationId: 'retireUploadTask',
        tags: ['bank'],
        summary: 'Take a custom upload task out of use in new assessments',
        params: idParam('taskId'),
        response: { 200: uploadTaskDetailSchema, ...staffErrors },
      },
    },
    async (req) =>
      bank.setUploadTaskRetired(ctx, staffOf(req), req.params.taskId as string, true, metaOf(req)),
  );

  app.post(
    '/api/v1/upload-tasks/:taskId/restore',
    {
      config: write,
      schema: {
        operationId: 'restoreUploadTask',
        tags: ['bank'],
        summary: 'Put a retired custom upload task back into use',
        params: idParam('taskId'),
        response: { 200: uploadTaskDetailSchema, ...staffErrors },
      },
    },
    async (req) =>
      bank.setUploadTaskRetired(ctx, staffOf(req), req.params.taskId as string, false, metaOf(req)),
  );
}
