/**
 * What each operation of /api/v1 needs, in one place: the OpenAPI document says it per operation and
 * GET /me answers it for the calling account. A key acts with exactly its account's roles; the use cases
 * decide each call (dossiers/access.ts), this only says which calls can succeed at all.
 */
import type { Role } from '../db/schema/index.js';
import { ROLE_LABELS } from '../accounts/roles.js';
import { RESULT_STEP_ROLES } from '../dossiers/transitions.js';

type Needs = 'public' | 'account' | 'workflow' | 'reception' | 'result';

type Operation = { operationId: string; method: 'GET' | 'POST'; path: string; needs: Needs };

export const OPERATIONS: readonly Operation[] = [
  { operationId: 'getMe', method: 'GET', path: '/me', needs: 'account' },
  { operationId: 'listProcedures', method: 'GET', path: '/procedures', needs: 'public' },
  { operationId: 'getProcedure', method: 'GET', path: '/procedures/{id}', needs: 'public' },
  { operationId: 'listDossiers', method: 'GET', path: '/dossiers', needs: 'workflow' },
  { operationId: 'receiveDossier', method: 'POST', path: '/dossiers', needs: 'reception' },
  { operationId: 'getDossier', method: 'GET', path: '/dossiers/{id}', needs: 'workflow' },
  { operationId: 'actOnDossier', method: 'POST', path: '/dossiers/{id}/transitions', needs: 'workflow' },
  { operationId: 'recordResult', method: 'POST', path: '/dossiers/{id}/result', needs: 'result' },
  { operationId: 'attachResultFile', method: 'POST', path: '/dossiers/{id}/result/files', needs: 'result' },
  { operationId: 'downloadDossierFile', method: 'GET', path: '/dossiers/{id}/files/{fileId}', needs: 'workflow' },
  { operationId: 'lookupDossier', method: 'GET', path: '/lookup', needs: 'public' },
];

/** Who records and attaches the result: the roles of the steps transitions.ts allows it at. */
const RESULT_LABELS = RESULT_STEP_ROLES.map((r) => ROLE_LABELS[r]).join(' hoặc ');

const WORKFLOW_LABELS = `${ROLE_LABELS.reception}, ${ROLE_LABELS.processing}, ${ROLE_LABELS.approval} hoặc ${ROLE_LABELS.result}`;

/** The sentence the OpenAPI document adds to an operation's description. */
export const NEEDS_TEXT: Record<Needs, string> = {
  public: 'Quyền: công khai, không cần xác thực.',
  account: 'Quyền: mọi tài khoản (khóa API hoặc phiên đăng nhập).',
  workflow: `Quyền: vai trò xử lý hồ sơ (${WORKFLOW_LABELS}); chỉ hồ sơ ở các bước và đơn vị (kể cả trực thuộc) tài khoản phụ trách.`,
  reception: `Quyền: vai trò ${ROLE_LABELS.reception}, tại đơn vị thực hiện thủ tục hoặc đơn vị cấp trên.`,
  result: `Quyền: vai trò ${RESULT_LABELS}; chỉ hồ sơ đang được xử lý ở bước xử lý hoặc phê duyệt tài khoản phụ trách.`,
};

export const needsOf = (operationId: string): Needs => OPERATIONS.find((o) => o.operationId === operationId)!.needs;

/** Whether an account holding `roles` can call the operation at all, and in words why (not). */
export function operationFor(op: Operation, roles: ReadonlySet<Role>): { allowed: boolean; note: string } {
  const workflow = ['reception', 'processing', 'approval', 'result'].some((r) => roles.has(r as Role));
  switch (op.needs) {
    case 'public':
      return { allowed: true, note: 'Công khai.' };
    case 'account':
      return { allowed: true, note: 'Mọi tài khoản.' };
    case 'workflow':
      return workflow
        ? { allowed: true, note: 'Hồ sơ ở các bước và đơn vị tài khoản phụ trách.' }
        : { allowed: false, note: `Tài khoản không có vai trò xử lý hồ sơ (${WORKFLOW_LABELS}).` };
    case 'reception':
      return roles.has('reception')
        ? { allowed: true, note: 'Thủ tục do đơn vị được phân quyền tiếp nhận thực hiện; kênh 1 (trực tiếp) hoặc 3 (bưu chính công ích).' }
        : { allowed: false, note: `Cần vai trò ${ROLE_LABELS.reception}.` };
    case 'result':
      return RESULT_STEP_ROLES.some((r) => roles.has(r))
        ? { allowed: true, note: 'Hồ sơ đang được xử lý ở bước xử lý hoặc phê duyệt tài khoản phụ trách.' }
        : { allowed: false, note: `Cần vai trò ${RESULT_LABELS}.` };
  }
}
