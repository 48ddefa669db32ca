/**
 * Wallboards and rotations: stored as validated JSON specs, every change audited, and every screen showing a changed
 * board or rotation told so it lays itself out again. Who may edit what is decided by the routes (access policies).
 */
import { randomBytes } from 'node:crypto';
import { boardBody, rotationBody, type Board, type BoardBody, type Rotation, type RotationBody } from '../../shared/boards.js';
import { AccountError } from '../accounts/errors.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import type { DisplayService } from '../displays/display.service.js';
import type { Store } from '../store/db.js';
import type { BoardsTable } from '../store/schema.js';

type Actor = { userId: string; ip: string | null };

function newId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x')}`;
}

function toBoard(r: BoardsTable): Board {
  const spec = boardBody.parse({ name: r.name, ...(JSON.parse(r.spec) as object) });
  return { id: r.id, ...spec, createdBy: r.created_by, updatedAt: new Date(Number(r.updated_ms)).toISOString() };
}

function toRotation(r: BoardsTable): Rotation {
  const spec = rotationBody.parse({ name: r.name, ...(JSON.parse(r.spec) as object) });
  return { id: r.id, ...spec, createdBy: r.created_by, updatedAt: new Date(Number(r.updated_ms)).toISOString() };
}

export class BoardService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly displays: DisplayService,
  ) {}

  async listBoards(): Promise<Board[]> {
    return (await this.store.db.selectFrom('boards').selectAll().orderBy('name').execute()).map(toBoard);
  }

  async getBoard(id: string): Promise<Board> {
    const row = await this.store.db.selectFrom('boards').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AccountError('not_found', `no board with id '${id}'`);
    return toBoard(row);
  }

  async createBoard(body: BoardBody, by: Actor): Promise<Board> {
    const now = this.clock.now();
    const id = newId('b');
    const { name, ...spec } = body;
    await this.store.db.insertInto('boards').values({ id, name, spec: JSON.stringify(spec), created_by: by.userId, created_ms: now, updated_ms: now }).execute();
    await this.audit.record({ actor: `user:${by.userId}`, action: 'board.create', target: `board:${id}`, ip: by.ip, details: { name, tiles: body.tiles.length } });
    return this.getBoard(id);
  }

  async updateBoard(id: string, body: BoardBody, by: Actor): Promise<Board> {
    const { name, ...spec } = body;
    const res = await this.store.db.updateTable('boards').set({ name, spec: JSON.stringify(spec), updated_ms: this.clock.now() }).where('id', '=', id).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new AccountError('not_found', `no board with id '${id}'`);
    await this.audit.record({ actor: `user:${by.userId}`, action: 'board.update', target: `board:${id}`, ip: by.ip, details: { name, tiles: body.tiles.length } });
    await this.displays.layoutChanged([`board:${id}`, ...(await this.rotationsWith(id)).map((r) => `rotation:${r}`)], body.tiles.map((t) => t.scope));
    return this.getBoard(id);
  }

  async deleteBoard(id: string, by: Actor): Promise<void> {
    const inRotations = await this.rotationsWith(id);
    if (inRotations.length > 0) throw new AccountError('conflict', `the board is in ${inRotations.length} rotation(s); take it out of them first`);
    const shown = await this.store.db.selectFrom('displays').select('name').where('shows', '=', `board:${id}`).where('status', '!=', 'revoked').execute();
    if (shown.length > 0) throw new AccountError('conflict', `screens show this board (${shown.map((s) => s.name).join(', ')}); give them something else to show first`);
    const res = await this.store.db.deleteFrom('boards').where('id', '=', id).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new AccountError('not_found', `no board with id '${id}'`);
    await this.audit.record({ actor: `user:${by.userId}`, action: 'board.delete', target: `board:${id}`, ip: by.ip });
  }

  async listRotations(): Promise<Rotation[]> {
    return (await this.store.db.selectFrom('rotations').selectAll().orderBy('name').execute()).map(toRotation);
  }

  async getRotation(id: string): Promise<Rotation> {
    const row = await this.store.db.selectFrom('rotations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AccountError('not_found', `no rotation with id '${id}'`);
    return toRotation(row);
  }

  async createRotation(body: RotationBody, by: Actor): Promise<Rotation> {
    await this.checkBoards(body);
    const now = this.clock.now();
    const id = newId('r');
    const { name, ...spec } = body;
    await this.store.db.insertInto('rotations').values({ id, name, spec: JSON.stringify(spec), created_by: by.userId, created_ms: now, updated_ms: now }).execute();
    await this.audit.record({ actor: `user:${by.userId}`, action: 'rotation.create', target: `rotation:${id}`, ip: by.ip, details: { name, boards: body.items.length } });
    return this.getRotation(id);
  }

  async updateRotation(id: string, body: RotationBody, by: Actor): Promise<Rotation> {
    await this.checkBoards(body);
    const { name, ...spec } = body;
    const res = await this.store.db.updateTable('rotations').set({ name, spec: JSON.stringify(spec), updated_ms: this.clock.now() }).where('id', '=', id).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new AccountError('not_found', `no rotation with id '${id}'`);
    await this.audit.record({ actor: `user:${by.userId}`, action: 'rotation.update', target: `rotation:${id}`, ip: by.ip, details: { name, boards: body.items.length } });
    const boards = await Promise.all(body.items.map((i) => this.getBoard(i.boardId)));
    await this.displays.layoutChanged([`rotation:${id}`], boards.flatMap((b) => b.tiles.map((t) => t.scope)));
    return this.getRotation(id);
  }

  async deleteRotation(id: string, by: Actor): Promise<void> {
    const shown = await this.store.db.selectFrom('displays').select('name').where('shows', '=', `rotation:${id}`).where('status', '!=', 'revoked').execute();
    if (shown.length > 0) throw new AccountError('conflict', `screens show this rotation (${shown.map((s) => s.name).join(', ')}); give them something else to show first`);
    const res = await this.store.db.deleteFrom('rotations').where('id', '=', id).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new AccountError('not_found', `no rotation with id '${id}'`);
    await this.audit.record({ actor: `user:${by.userId}`, action: 'rotation.delete', target: `rotation:${id}`, ip: by.ip });
  }

  /** The boards a screen shows, in order, with their dwell (null for a single board). */
  async resolveShows(shows: string | null): Promise<{ board: Board; dwellSeconds: number | null }[]> {
    if (shows === null) return [];
    const [kind, id] = shows.split(':') as [string, string];
    if (kind === 'board') return [{ board: await this.getBoard(id), dwellSeconds: null }];
    const rotation = await this.getRotation(id);
    const out: { board: Board; dwellSeconds: number | null }[] = [];
    for (const item of rotation.items) out.push({ board: await this.getBoard(item.boardId), dwellSeconds: item.dwellSeconds });
    return out;
  }

  private async checkBoards(body: RotationBody): Promise<void> {
    const ids = [...new Set(body.items.map((i) => i.boardId))];
    const found = await this.store.db.selectFrom('boards').select('id').where('id', 'in', ids).execute();
    const missing = ids.filter((id) => !found.some((f) => f.id === id));
    if (missing.length > 0) throw new AccountError('invalid', `no board with id ${missing.map((m) => `'${m}'`).join(', ')}`);
  }

  private async rotationsWith(boardId: string): Promise<string[]> {
    return (await this.listRotations()).filter((r) => r.items.some((i) => i.boardId === boardId)).map((r) => r.id);
  }
}
