import { AckedIndexer, MajorityConfig, NoLimitIndex, VoteResult } from './quorum';

export function majorityString(c: MajorityConfig): string {
  return '(' + [...c].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(' ') + ')';
}

/**
 * The largest index acknowledged by a majority of c. Voters with no acknowledgement
 * count as 0. An empty config returns NoLimitIndex so a joint config defers to its other half.
 */
export function majorityCommittedIndex(c: MajorityConfig, acked: AckedIndexer): number {
  const n = c.size;
  if (n === 0) return NoLimitIndex;
  // Insertion sort into a reused buffer: groups are small and this runs on every ack.
  const srt = n <= scratch.length ? scratch : new Array<number>(n);
  let k = 0;
  for (const id of c) {
    const v = acked(id) ?? 0;
    let j = k++;
    while (j > 0 && srt[j - 1] > v) {
      srt[j] = srt[j - 1];
      j--;
    }
    srt[j] = v;
  }
  // With srt ascending, the element at n - (n/2 + 1) is covered by a majority.
  return srt[n - (Math.floor(n / 2) + 1)];
}

const scratch = new Array<number>(16).fill(0);

/** Won with a majority of yes, lost once a majority is out of reach, else pending. */
export function majorityVoteResult(c: MajorityConfig, votes: Map<bigint, boolean>): VoteResult {
  if (c.size === 0) return VoteResult.VoteWon;
  let yes = 0;
  let missing = 0;
  for (const id of c) {
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) yes++;
  }
  const q = Math.floor(c.size / 2) + 1;
  if (yes >= q) return VoteResult.VoteWon;
  if (yes + missing >= q) return VoteResult.VotePending;
  return VoteResult.VoteLost;
}
