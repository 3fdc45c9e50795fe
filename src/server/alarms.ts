// Active alarms (NOSPACE, CORRUPT) per member. Changed only inside apply, persisted in the `alarm`
// sub-database as etcd does: the key is the encoded AlarmMember, the value empty.
import { etcdserverpb } from '../api';
import type { BackendSnapshot, BatchWriter } from '../mvcc';

type AlarmMember = etcdserverpb.AlarmMember;
const { AlarmType } = etcdserverpb;

function sameAlarm(a: AlarmMember, b: AlarmMember): boolean {
  return a.memberID === b.memberID && a.alarm === b.alarm;
}

function alarmKey(alarm: AlarmMember): Buffer {
  return Buffer.from(etcdserverpb.AlarmMember.encode(alarm).finish());
}

export class AlarmStore {
  private alarms: AlarmMember[] = [];

  restore(snapshot: BackendSnapshot): void {
    this.alarms = [];
    for (const { key } of snapshot.entries('alarm')) {
      this.alarms.push(etcdserverpb.AlarmMember.decode(key));
    }
  }

  /** Alarms of one type, or every alarm for NONE. */
  get(type: etcdserverpb.AlarmType = AlarmType.NONE): AlarmMember[] {
    return this.alarms.filter((a) => type === AlarmType.NONE || a.alarm === type).map((a) => ({ ...a }));
  }

  has(type: etcdserverpb.AlarmType): boolean {
    return this.alarms.some((a) => a.alarm === type);
  }

  /** Raises an alarm; returns it, or undefined when it was already raised. */
  unsafeActivate(writer: BatchWriter, alarm: AlarmMember): AlarmMember | undefined {
    if (this.alarms.some((a) => sameAlarm(a, alarm))) return undefined;
    const entry = { memberID: alarm.memberID, alarm: alarm.alarm };
    this.alarms.push(entry);
    writer.backend.put('alarm', alarmKey(entry), Buffer.alloc(0));
    return { ...entry };
  }

  /** Clears an alarm; returns it, or undefined when it was not raised. */
  unsafeDeactivate(writer: BatchWriter, alarm: AlarmMember): AlarmMember | undefined {
    const index = this.alarms.findIndex((a) => sameAlarm(a, alarm));
    if (index < 0) return undefined;
    const [entry] = this.alarms.splice(index, 1);
    writer.backend.delete('alarm', alarmKey(entry));
    return { ...entry };
  }
}
