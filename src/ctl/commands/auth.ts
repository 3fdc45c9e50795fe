// user, role and auth commands, as etcdctl. Passwords come from `name:password`,
// --new-user-password, standard input (--interactive=false), or else are asked twice on the
// terminal (password.ts).
import type { Command } from 'commander';
import { authpb, etcdserverpb, fromKeyRange, prefixEnd } from '../../api';
import type { CtlContext } from '../context';
import { badArgs } from '../exit';
import { parseGoBool } from '../global';
import { encodeMessage } from '../go-json';
import { readPasswordInteractive } from '../password';
import { callOrFail, toCtlError } from './shared';

const PERMS: Record<string, authpb.Permission_Type> = { READ: authpb.Permission_Type.READ, WRITE: authpb.Permission_Type.WRITE, READWRITE: authpb.Permission_Type.READWRITE };

/** The [key, rangeEnd) of a permission, as etcdctl's permRange. */
export function permissionRange(args: readonly string[], o: { prefix?: boolean; fromKey?: boolean }): { key: Buffer; rangeEnd: Buffer } {
  if (o.prefix && o.fromKey) throw badArgs('--from-key and --prefix flags are mutually exclusive');
  const key = args[0];
  if (key === '') {
    // The empty prefix means every key: ["\0", "\0") on the server side.
    return { key: Buffer.from([0]), rangeEnd: o.prefix || o.fromKey ? Buffer.from([0]) : Buffer.alloc(0) };
  }
  if (args.length > 1 && o.prefix) throw badArgs('unexpected endkey argument with --prefix flag');
  if (args.length > 1 && o.fromKey) throw badArgs('unexpected endkey argument with --from-key flag');
  if (o.prefix) return { key: Buffer.from(key), rangeEnd: prefixEnd(Buffer.from(key)) };
  if (o.fromKey) return fromKeyRange(key);
  return { key: Buffer.from(key), rangeEnd: Buffer.from(args[1] ?? '') };
}

/** The password of `user add NAME` (`instead`: how else to give it) and `user passwd NAME`. */
async function passwordOf(ctx: CtlContext, name: string, instead: string, o: { interactive: string | boolean; newUserPassword?: string }): Promise<string> {
  if (o.newUserPassword) return o.newUserPassword;
  // A bare --interactive is true (pflag's --interactive[=true]).
  if (parseGoBool('interactive', String(o.interactive))) return readPasswordInteractive(ctx.io, name, instead);
  const line = await ctx.io.readLine();
  if (!line) throw badArgs('empty password');
  return line;
}

export function registerAuthCommands(program: Command, ctx: CtlContext): void {
  const pb = etcdserverpb.AuthService;
  const user = program.command('user').description('User related commands');
  user.command('add').description('Adds a new user').usage('<user name or user:password> [options]').argument('[args...]')
    .option('--interactive [bool]', 'Read password from stdin instead of interactive terminal', 'true')
    .option('--new-user-password <password>', 'Supply password from the command line flag')
    .option('--no-password', 'Create a user without password (CN based auth only)')
    .action(async (args: string[], o: { interactive: string | boolean; newUserPassword?: string; password: boolean }) => {
      if (args.length !== 1) throw badArgs('user add command requires user name as its argument');
      let [name, password] = args[0].includes(':') ? [args[0].slice(0, args[0].indexOf(':')), args[0].slice(args[0].indexOf(':') + 1)] : [args[0], undefined];
      if (name === '') throw badArgs('empty user name is not allowed');
      const noPassword = o.password === false;
      if (!noPassword && password === undefined) {
        password = await passwordOf(ctx, name, `give ${name}:PASSWORD, --new-user-password PASSWORD or --interactive=false with the password on standard input`, o);
      }
      const resp = await callOrFail(ctx.client().unary(pb.userAdd, etcdserverpb.AuthUserAddRequest.fromPartial({ name, password: password ?? '', options: { noPassword } })));
      ctx.printer.userAdd(name, resp);
    });
  user.command('delete').description('Deletes a user').usage('<user name>').argument('[args...]')
    .action(async (args: string[]) => {
      if (args.length !== 1) throw badArgs('user delete command requires user name as its argument');
      ctx.printer.userDelete(args[0], await callOrFail(ctx.client().unary(pb.userDelete, { name: args[0] })));
    });
  user.command('get').description('Gets detailed information of a user').usage('<user name> [options]').argument('[args...]')
    .option('--detail', 'Show permissions of roles granted to the user')
    .action(async (args: string[], o: { detail?: boolean }) => {
      if (args.length !== 1) throw badArgs('user get command requires user name as its argument');
      const resp = await callOrFail(ctx.client().unary(pb.userGet, { name: args[0] }, { idempotent: true }));
      if (!o.detail) { ctx.printer.userGet(args[0], resp); return; }
      ctx.output.out(`User: ${args[0]}\n`);
      for (const role of resp.roles) {
        ctx.output.out('\n');
        ctx.printer.roleGet(role, await callOrFail(ctx.client().unary(pb.roleGet, { role }, { idempotent: true })));
      }
    });
  user.command('list').description('Lists all users').argument('[args...]')
    .action(async (args: string[]) => {
      if (args.length !== 0) throw badArgs('user list command requires no arguments');
      ctx.printer.userList(await callOrFail(ctx.client().unary(pb.userList, {}, { idempotent: true })));
    });
  user.command('passwd').description('Changes password of user').usage('<user name> [options]').argument('[args...]')
    .option('--interactive [bool]', 'If true, read password from stdin instead of interactive terminal', 'true')
    .action(async (args: string[], o: { interactive: string | boolean }) => {
      if (args.length !== 1) throw badArgs('user passwd command requires user name as its argument');
      const password = await passwordOf(ctx, args[0], 'give --interactive=false with the password on standard input', o);
      ctx.printer.userChangePassword(await callOrFail(ctx.client().unary(pb.userChangePassword, etcdserverpb.AuthUserChangePasswordRequest.fromPartial({ name: args[0], password }))));
    });
  user.command('grant-role').description('Grants a role to a user').usage('<user name> <role name>').argument('[args...]')
    .action(async (args: string[]) => {
      if (args.length !== 2) throw badArgs('user grant command requires user name and role name as its argument');
      ctx.printer.userGrantRole(args[0], args[1], await callOrFail(ctx.client().unary(pb.userGrantRole, { user: args[0], role: args[1] })));
    });
  user.command('revoke-role').description('Revokes a role from a user').usage('<user name> <role name>').argument('[args...]')
    .action(async (args: string[]) => {
      if (args.length !== 2) throw badArgs('user revoke-role requires user name and role name as its argument');
      ctx.printer.userRevokeRole(args[0], args[1], await callOrFail(ctx.client().unary(pb.userRevokeRole, { name: args[0], role: args[1] })));
    });

  const role = program.command('role').description('Role related commands');
  role.command('add').description('Adds a new role').usage('<role name>').argument('[args...]')
    .action(async (args: string[]) => {
      if (args.length !== 1) throw badArgs('role add command requires role name as its argument');
      ctx.printer.roleAdd(args[0], await callOrFail(ctx.client().unary(pb.roleAdd, { name: args[0] })));
    });
  role.command('delete').description('Deletes a role').usage('<role name>').argument('[args...]')
    .action(async (args: string[]) => {
      if (args.length !== 1) throw badArgs('role delete command requires role name as its argument');
      ctx.printer.roleDelete(args[0], await callOrFail(ctx.client().unary(pb.roleDelete, { role: args[0] })));
    });
  role.command('get').description('Gets detailed information of a role').usage('<role name>').argument('[args...]')
    .action(async (args: string[]) => {
      if (args.length !== 1) throw badArgs('role get command requires role name as its argument');
      ctx.printer.roleGet(args[0], await callOrFail(ctx.client().unary(pb.roleGet, { role: args[0] }, { idempotent: true })));
    });
  role.command('list').description('Lists all roles').argument('[args...]')
    .action(async (args: string[]) => {
      if (args.length !== 0) throw badArgs('role list command requires no arguments');
      ctx.printer.roleList(await callOrFail(ctx.client().unary(pb.roleList, {}, { idempotent: true })));
    });
  role.command('grant-permission').description('Grants a key to a role').usage('[options] <role name> <permission type> <key> [endkey]').argument('[args...]')
    .option('--prefix', 'grant a prefix permission')
    .option('--from-key', 'grant a permission of keys that are greater than or equal to the given key using byte compare')
    .action(async (args: string[], o: { prefix?: boolean; fromKey?: boolean }) => {
      if (args.length < 3) throw badArgs('role grant command requires role name, permission type, and key [endkey] as its argument');
      const permType = PERMS[args[1].toUpperCase()];
      if (permType === undefined) throw badArgs(`invalid permission type: ${args[1]}`);
      const range = permissionRange(args.slice(2), o);
      const resp = await callOrFail(ctx.client().unary(pb.roleGrantPermission, etcdserverpb.AuthRoleGrantPermissionRequest.fromPartial({ name: args[0], perm: { permType, ...range } })));
      ctx.printer.roleGrantPermission(args[0], resp);
    });
  role.command('revoke-permission').description('Revokes a key from a role').usage('<role name> <key> [endkey]').argument('[args...]')
    .option('--prefix', 'revoke a prefix permission')
    .option('--from-key', 'revoke a permission of keys that are greater than or equal to the given key using byte compare')
    .action(async (args: string[], o: { prefix?: boolean; fromKey?: boolean }) => {
      if (args.length < 2) throw badArgs('role revoke-permission command requires role name and key [endkey] as its argument');
      const range = permissionRange(args.slice(1), o);
      const resp = await callOrFail(ctx.client().unary(pb.roleRevokePermission, { role: args[0], ...range }));
      ctx.printer.roleRevokePermission(args[0], range.key.toString(), range.rangeEnd.toString(), resp);
    });

  const auth = program.command('auth').description('Enable or disable authentication');
  auth.command('enable').description('Enables authentication').argument('[args...]')
    .action(async (args: string[]) => {
      if (args.length !== 0) throw badArgs('auth enable command does not accept any arguments');
      // etcdctl gives the root user its root role (creating the role) when that is all that is missing.
      for (let attempt = 0; ; attempt++) {
        try {
          await ctx.client().unary(pb.authEnable, {});
          break;
        } catch (err) {
          if (attempt > 0 || !(err instanceof Error) || err.message !== 'etcdserver: root user does not have root role') throw toCtlError(err);
          try {
            await ctx.client().unary(pb.roleAdd, { name: 'root' });
          } catch (roleErr) {
            if (!(roleErr instanceof Error) || roleErr.message !== 'etcdserver: role name already exists') throw toCtlError(roleErr);
          }
          await callOrFail(ctx.client().unary(pb.userGrantRole, { user: 'root', role: 'root' }));
        }
      }
      ctx.output.out('Authentication Enabled\n');
    });
  auth.command('disable').description('Disables authentication').argument('[args...]')
    .action(async (args: string[]) => {
      if (args.length !== 0) throw badArgs('auth disable command does not accept any arguments');
      await callOrFail(ctx.client().unary(pb.authDisable, {}));
      ctx.output.out('Authentication Disabled\n');
    });
  auth.command('status').description('Returns authentication status').argument('[args...]')
    .action(async () => {
      const resp = await callOrFail(ctx.client().unary(pb.authStatus, {}, { idempotent: true }));
      if (ctx.global.output === 'json') ctx.output.out(`${encodeMessage(resp as unknown as Record<string, unknown>, 'AuthStatusResponse')}\n`);
      else ctx.output.out(`Authentication Status: ${resp.enabled}\nAuthRevision: ${resp.authRevision}\n`);
    });
}
