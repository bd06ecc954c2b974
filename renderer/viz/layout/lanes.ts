/**
 * Which horizontal lane each branch is drawn in. Main sits in lane 0; a fork occupies the seqs after its fork point,
 * and reuses the lowest lane whose previous occupant ended before it starts, so many short-lived experiments do
 * not push the graph off the screen.
 */
export interface LaneInput {
  readonly name: string;
  /** Seq of the fork point (null for the root branch). */
  readonly baseSeq: number | null;
  readonly headSeq: number;
}

export interface Lane {
  readonly branch: string;
  readonly lane: number;
  /** First seq drawn in this lane (root: 0, fork: baseSeq + 1). */
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly baseSeq: number | null;
}

export function assignLanes(branches: readonly LaneInput[]): Lane[] {
  const roots = branches.filter((b) => b.baseSeq === null);
  const forks = branches
    .filter((b) => b.baseSeq !== null)
    .slice()
    .sort((a, b) => (a.baseSeq ?? 0) - (b.baseSeq ?? 0) || a.name.localeCompare(b.name));
  const out: Lane[] = [];
  // Roots (normally just "main") each get their own lane at the top.
  roots.forEach((b, i) => out.push({ branch: b.name, lane: i, fromSeq: 0, toSeq: b.headSeq, baseSeq: null }));
  const laneEnds: number[] = roots.map(() => Number.POSITIVE_INFINITY);
  for (const b of forks) {
    const fromSeq = (b.baseSeq ?? 0) + 1;
    // A fork needs a gap of one seq before it so its fork edge does not run through the previous occupant.
    let lane = laneEnds.findIndex((end, i) => i >= roots.length && end < fromSeq - 1);
    if (lane === -1) {
      lane = laneEnds.length;
      laneEnds.push(b.headSeq);
    } else {
      laneEnds[lane] = b.headSeq;
    }
    out.push({ branch: b.name, lane, fromSeq, toSeq: b.headSeq, baseSeq: b.baseSeq });
  }
  return out;
}

export function laneCount(lanes: readonly Lane[]): number {
  return lanes.reduce((m, l) => Math.max(m, l.lane + 1), 0);
}
