// Staff accounts over HTTP: sign-up and sign-in, sessions, passwords, the organization and its team.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Ctx } from '../../context.js';
import { metaOf, staffOf, userOf } from '../../http/access.js';
import type { App } from '../../http/app-types.js';
import { errorSchema, idParam, staffErrors } from '../../http/schemas.js';
import {
  acceptInvitationBody,
  changePasswordBody,
  changeRoleBody,
  invitationPreview,
  inviteMemberBody,
  memberSchema,
  organizationSchema,
  resetConfirmBody,
  resetRequestBody,
  sessionInfo,
  sessionSchema,
  signInBody,
  signUpBody,
  switchOrgBody,
  teamInvitationSchema,
  tokenBody,
  updateOrganizationBody,
} from './accounts.schemas.js';
import * as accounts from './accounts.service.js';
import { SESSION_ABSOLUTE_MS, SESSION_COOKIE } from './sessions.service.js';

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 429: errorSchema };
// Brute force gets slow: a handful of tries per minute per address, and account lockout behind it.
const authRateLimit = { max: 10, timeWindow: '1 minute' };

function setSessionCookie(req: FastifyRequest, reply: FastifyReply, token: string) {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.protocol === 'https',
    path: '/',
    maxAge: SESSION_ABSOLUTE_MS / 1000,
  });
}

const sessionActor = (userId: string, orgId: string, sessionId: string) =>
  ({
    kind: 'staff',
    userId,
    orgId,
    role: null,
    via: 'session',
    sessionId,
    apiKeyId: null,
    mustChangePassword: false,
  }) as const;

export function registerAccountRoutes(app: App, ctx: Ctx): void {
  app.get(
    '/api/v1/auth/config',
    {
      config: { access: { kind: 'public' } },
      schema: {
        operationId: 'getAuthConfig',
        tags: ['auth'],
        summary: 'How people may join this instance',
        response: { 200: z.object({ signup: z.enum(['open', 'invite', 'closed']) }) },
      },
    },
    async () => ({ signup: ctx.config.signup }),
  );

  app.get(
    '/api/v1/auth/session',
    {
      config: { access: { kind: 'user' } },
      schema: {
        operationId: 'getSession',
        tags: ['auth'],
        summary: 'The signed-in user, their organizations and the CSRF token',
        response: { 200: sessionSchema, ...errors },
      },
    },
    async (req) => accounts.describeSession(ctx, userOf(req)),
  );

  app.post(
    '/api/v1/auth/sign-up',
    {
      config: { access: { kind: 'public' }, rateLimit: authRateLimit },
      schema: {
        operationId: 'signUp',
        tags: ['auth'],
        summary: 'Create an organization and its owner (when sign-up is open)',
        body: signUpBody,
        response: { 201: sessionSchema, ...errors },
      },
    },
    async (req, reply) => {
      const s = await accounts.signUp(ctx, req.body, metaOf(req));
      setSessionCookie(req, reply, s.token);
      return reply
        .status(201)
        .send(await accounts.describeSession(ctx, sessionActor(s.userId, s.orgId, s.id)));
    },
  );

  app.post(
    '/api/v1/auth/sign-in',
    {
      config: { access: { kind: 'public' }, rateLimit: authRateLimit },
      schema: {
        operationId: 'signIn',
        tags: ['auth'],
        summary: 'Sign in with email and password',
        body: signInBody,
        response: { 200: sessionSchema, ...errors },
      },
    },
    async (req, reply) => {
      const s = await accounts.signIn(ctx, req.body, metaOf(req));
      setSessionCookie(req, reply, s.token);
      const sess = await ctx.db
        .selectFrom('sessions')
        .select(['user_id', 'org_id'])
        .where('id', '=', s.id)
        .executeTakeFirstOrThrow();
      return accounts.describeSession(ctx, {
        ...sessionActor(sess.user_id, sess.org_id ?? '', s.id),
        orgId: sess.org_id,
      });
    },
  );

  app.post(
    '/api/v1/auth/sign-out',
    {
      config: { access: { kind: 'user' } },
      schema: {
        operationId: 'signOut',
        tags: ['auth'],
        summary: 'End this session',
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      await accounts.signOut(ctx, userOf(req), metaOf(req));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/password',
    {
      config: { access: { kind: 'user' }, rateLimit: authRateLimit },
      schema: {
        operationId: 'changePassword',
        tags: ['auth'],
        summary: 'Change your password; your other sessions end',
        body: changePasswordBody,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      await accounts.changePassword(ctx, userOf(req), req.body, metaOf(req));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/password-reset/request',
    {
      config: { access: { kind: 'public' }, rateLimit: authRateLimit },
      schema: {
        operationId: 'requestPasswordReset',
        tags: ['auth'],
        summary: 'Email a reset link if the account exists (the answer is the same either way)',
        body: resetRequestBody,
        response: { 202: z.object({ status: z.literal('sent') }), ...errors },
      },
    },
    async (req, reply) => {
      await accounts.requestPasswordReset(ctx, req.body.email, metaOf(req));
      return reply.status(202).send({ status: 'sent' as const });
    },
  );

  app.post(
    '/api/v1/auth/password-reset/confirm',
    {
      config: { access: { kind: 'public' }, rateLimit: authRateLimit },
      schema: {
        operationId: 'confirmPasswordReset',
        tags: ['auth'],
        summary: 'Set a new password with a reset link token',
        body: resetConfirmBody,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      await accounts.confirmPasswordReset(ctx, req.body, metaOf(req));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/switch-organization',
    {
      config: { access: { kind: 'user' } },
      schema: {
        operationId: 'switchOrganization',
        tags: ['auth'],
        summary: 'Work in another of your organizations',
        body: switchOrgBody,
        response: { 200: sessionSchema, ...errors },
      },
    },
    async (req) => accounts.switchOrganization(ctx, userOf(req), req.body.organizationId),
  );

  app.get(
    '/api/v1/account/sessions',
    {
      config: { access: { kind: 'user' } },
      schema: {
        operationId: 'listMySessions',
        tags: ['account'],
        summary: 'Your active sessions',
        response: { 200: z.object({ items: z.array(sessionInfo) }), ...errors },
      },
    },
    async (req) => accounts.listMySessions(ctx, userOf(req)),
  );

  app.delete(
    '/api/v1/account/sessions/:sessionId',
    {
      config: { access: { kind: 'user' } },
      schema: {
        operationId: 'revokeMySession',
        tags: ['account'],
        summary: 'Sign out one of your sessions',
        params: idParam('sessionId'),
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      await accounts.revokeMySession(ctx, userOf(req), req.params.sessionId as string, metaOf(req));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/organization',
    {
      config: { access: { kind: 'staff', permission: 'organization.read' } },
      schema: {
        operationId: 'getOrganization',
        tags: ['organization'],
        summary: 'The current organization',
        response: { 200: organizationSchema, ...staffErrors },
      },
    },
    async (req) => accounts.getOrganization(ctx, staffOf(req)),
  );

  app.patch(
    '/api/v1/organization',
    {
      config: { access: { kind: 'staff', permission: 'organization.update' } },
      schema: {
        operationId: 'updateOrganization',
        tags: ['organization'],
        summary: 'Rename the organization',
        body: updateOrganizationBody,
        response: { 200: organizationSchema, ...staffErrors },
      },
    },
    async (req) => accounts.updateOrganization(ctx, staffOf(req), req.body, metaOf(req)),
  );

  app.get(
    '/api/v1/team/members',
    {
      config: { access: { kind: 'staff', permission: 'team.read' } },
      schema: {
        operationId: 'listMembers',
        tags: ['team'],
        summary: 'Members of the organization',
        response: { 200: z.object({ items: z.array(memberSchema) }), ...staffErrors },
      },
    },
    async (req) => accounts.listTeamMembers(ctx, staffOf(req)),
  );

  app.patch(
    '/api/v1/team/members/:userId',
    {
      config: { access: { kind: 'staff', permission: 'team.manage' } },
      schema: {
        operationId: 'changeMemberRole',
        tags: ['team'],
        summary: "Change a member's role",
        params: idParam('userId'),
        body: changeRoleBody,
        response: { 200: memberSchema, ...staffErrors },
      },
    },
    async (req) =>
      accounts.changeMemberRole(ctx, staffOf(req), req.params.userId as string, req.body.role, metaOf(req)),
  );

  app.delete(
    '/api/v1/team/members/:userId',
    {
      config: { access: { kind: 'staff', permission: 'team.manage' } },
      schema: {
        operationId: 'removeMember',
        tags: ['team'],
        summary: 'Remove a member; their sessions here end at once',
        params: idParam('userId'),
        response: { 204: z.null(), ...staffErrors },
      },
    },
    async (req, reply) => {
      await accounts.removeMember(ctx, staffOf(req), req.params.userId as string, metaOf(req));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/team/invitations',
    {
      config: { access: { kind: 'staff', permission: 'team.manage' } },
      schema: {
        operationId: 'listTeamInvitations',
        tags: ['team'],
        summary: 'Pending team invitations',
        response: { 200: z.object({ items: z.array(teamInvitationSchema) }), ...staffErrors },
      },
    },
    async (req) => accounts.listTeamInvitations(ctx, staffOf(req)),
  );

  app.post(
    '/api/v1/team/invitations',
    {
      config: { access: { kind: 'staff', permission: 'team.manage' } },
      schema: {
        operationId: 'inviteMember',
        tags: ['team'],
        summary: 'Invite someone by email with a role',
        body: inviteMemberBody,
        response: { 201: teamInvitationSchema, ...staffErrors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await accounts.inviteMember(ctx, staffOf(req), req.body, metaOf(req))),
  );

  app.delete(
    '/api/v1/team/invitations/:teamInvitationId',
    {
      config: { access: { kind: 'staff', permission: 'team.manage' } },
      schema: {
        operationId: 'revokeTeamInvitation',
        tags: ['team'],
        summary: 'Revoke a pending invitation',
        params: idParam('teamInvitationId'),
        response: { 204: z.null(), ...staffErrors },
      },
    },
    async (req, reply) => {
      await accounts.revokeTeamInvitation(
        ctx,
        staffOf(req),
        req.params.teamInvitationId as string,
        metaOf(req),
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/team-invitations/preview',
    {
      config: { access: { kind: 'public' }, rateLimit: authRateLimit },
      schema: {
        operationId: 'previewTeamInvitation',
        tags: ['team'],
        summary: 'What a team invitation link is for',
        body: tokenBody,
        response: { 200: invitationPreview, ...errors },
      },
    },
    async (req) => accounts.previewTeamInvitation(ctx, req.body.token),
  );

  app.post(
    '/api/v1/team-invitations/accept',
    {
      config: { access: { kind: 'public' }, rateLimit: authRateLimit },
      schema: {
        operationId: 'acceptTeamInvitation',
        tags: ['team'],
        summary: 'Join the organization (creating an account when the email has none)',
        body: acceptInvitationBody,
        response: { 200: sessionSchema, ...errors },
      },
    },
    async (req, reply) => {
      const actor = req.actor?.kind === 'staff' ? req.actor : null;
      const r = await accounts.acceptTeamInvitation(ctx, actor, req.body, metaOf(req));
      if (r.session) setSessionCookie(req, reply, r.session.token);
      const sessionId = r.session?.id ?? actor?.sessionId ?? '';
      return accounts.describeSession(ctx, { ...sessionActor(r.userId, r.orgId, sessionId), role: r.role });
    },
  );
}
