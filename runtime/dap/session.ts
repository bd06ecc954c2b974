/**
 * `theater dap`: the Debug Adapter Protocol over a recorded chain. Threads are actors, a thread's position is an
 * entry of one branch, and every request is answered from the record — so stepping works both ways, and a
 * breakpoint can be hit going back in time. `launch` opens a db and stops at an entry; `attach` watches a db that
 * a running Studio or `theater run` is writing (read-only) and follows new entries as they are committed.
 *
 * This file maps requests onto the parts beside it: stepping.ts and motion.ts (where a step or a run goes),
 * breakpoints.ts (what stops a run), inspect.ts and variables.ts (frames, scopes, the Variables view), threads.ts
 * and listing.ts (threads, and the chain listing frames point into). Framing, sequencing and the request/response
 * plumbing are @vscode/debugadapter's.
 */
import {
  BreakpointEvent,
  DebugSession,
  Handles,
  InitializedEvent,
  OutputEvent,
  StoppedEvent,
  TerminatedEvent,
  Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { formatPath, parsePath, pathProblem } from '../index.ts';
import { Breakpoints } from './breakpoints.ts';
import type { BranchView } from './chain-view.ts';
import { evaluate } from './evaluate.ts';
import { listingSource, scopes, stackFrames } from './inspect.ts';
import { restartReplay } from './restart.ts';
import { openSession, parseAttach, parseLaunch, startPosition, type Opened, type StartArguments } from './start.ts';
import * as step from './stepping.ts';
import type { ThreadState } from './threads.ts';
import { VariableStore } from './variables.ts';

/** The Debug Console's one command, said whenever it is typed without exactly one entry. */
const GOTO_USAGE = 'usage: .goto <entry>, the entry as #seq (#12), a hash or 4+ of its first hex digits';

export class TheaterDebugSession extends DebugSession {
  private opened: Opened | undefined;
  private readonly breakpoints = new Breakpoints();
  private readonly vars = new VariableStore();
  /** Frames and goto targets: a thread and a position. Dropped whenever a thread moves. */
  private readonly frames = new Handles<{ thread: number; pos: number }>();
  private configured!: () => void;
  private readonly configurationDone = new Promise<void>((r) => (this.configured = r));

  constructor(
    private readonly trace?: (line: string) => void,
    /** Called once the client has disconnected and the response is out: the host may exit then. */
    private readonly onEnd?: () => void,
  ) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  // ---- plumbing ------------------------------------------------------------------------------------------------
  override handleMessage(msg: DebugProtocol.ProtocolMessage): void {
    this.trace?.(`--> ${JSON.stringify(msg)}`);
    super.handleMessage(msg);
  }
  // Traced after sending: the protocol server numbers each message (seq) as it sends it.
  override sendResponse(r: DebugProtocol.Response): void {
    super.sendResponse(r);
    this.trace?.(`<-- ${JSON.stringify(r)}`);
  }
  override sendEvent(e: DebugProtocol.Event): void {
    super.sendEvent(e);
    this.trace?.(`<-- ${JSON.stringify(e)}`);
  }

  /** Runs a request's work; any error becomes an error response that says what went wrong. */
  private answer(response: DebugProtocol.Response, work: () => unknown): void {
    Promise.resolve()
      .then(work)
      .then(
        () => this.sendResponse(response),
        (e: unknown) => {
          const message = e instanceof Error ? e.message : String(e);
          this.sendErrorResponse(response, {
            id: 1,
            format: '{_message}',
            variables: { _message: message },
            showUser: true,
          });
        },
      );
  }

  private say(text: string, category: 'console' | 'stderr' = 'console'): void {
    this.sendEvent(new OutputEvent(`${text}\n`, category));
  }

  private get o(): Opened {
    if (!this.opened) throw new Error('launch or attach first');
    return this.opened;
  }

  // ---- lifecycle -----------------------------------------------------------------------------------------------
  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsStepBack: true,
      supportsGotoTargetsRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsDataBreakpoints: true,
      supportsEvaluateForHovers: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      exceptionBreakpointFilters: [
        { filter: 'error', label: 'Failed calls', description: 'Stop at error entries (trap, timeout, handler error)' },
      ],
    };
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configured();
    this.sendResponse(response);
  }

  protected override launchRequest(
    response: DebugProtocol.LaunchResponse,
    args: DebugProtocol.LaunchRequestArguments,
  ): void {
    this.answer(response, () => this.open(parseLaunch(args)));
  }

  protected override attachRequest(
    response: DebugProtocol.AttachResponse,
    args: DebugProtocol.AttachRequestArguments,
  ): void {
    this.answer(response, () => this.open(parseAttach(args)));
  }

  private async open(args: StartArguments): Promise<void> {
    this.opened = await openSession(args, {
      breakpoints: this.breakpoints,
      stop: (...s) => this.stopAt(...s),
      say: (text, category) => this.say(text, category),
    });
    // Breakpoints arrive between `initialized` and configurationDone: nothing runs before they are in. Those set
    // before the db was open are checked against its functions now.
    const known = await this.opened.chain.names();
    for (const b of this.breakpoints.unknownFunctions(known)) this.sendEvent(new BreakpointEvent('changed', b));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.configurationDone, new Promise((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
    const { main, threads, motion } = this.opened;
    setImmediate(() => {
      if (args.kind === 'launch' || args.stopOnEntry)
        return void this.stopAt(main, main.pos, 'entry', `${main.actor}/${main.branch}`);
      void threads.describe(main, main.pos).then((at) => {
        this.say(`attached to ${main.actor}/${main.branch} at ${at}; following new entries`);
        motion.follow(main);
      });
    });
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse): void {
    this.answer(response, async () => {
      const { args, main, chain, motion, threads } = this.o;
      motion.halt();
      await chain.refresh();
      const pos = args.kind === 'launch' ? await startPosition(await threads.view(main), args) : 0;
      setImmediate(() => {
        this.stopAt(main, pos, 'entry', 'restarted: back at the start');
        // "Replay from the start": the recorded path re-executed against the component, on a worker thread.
        void restartReplay(args.db, main.actor, main.branch, args.component).then((line) => this.say(line));
      });
    });
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.opened?.motion.halt();
    this.opened?.chain.close();
    this.opened = undefined;
    this.sendResponse(response);
    this.onEnd?.();
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.opened?.motion.halt();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  // ---- where a thread stands -----------------------------------------------------------------------------------
  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    this.answer(response, async () => {
      await this.opened?.threads.sync();
      const all = this.opened?.threads.all() ?? [];
      response.body = { threads: all.map((t) => new Thread(t.id, `${t.actor} (${t.branch})`)) };
    });
  }

  protected override stackTraceRequest(
    response: DebugProtocol.StackTraceResponse,
    args: DebugProtocol.StackTraceArguments,
  ): void {
    this.answer(response, async () => {
      const { threads } = this.o;
      const t = threads.get(args.threadId);
      const view = await threads.view(t);
      const source = listingSource(threads.listingName(t), threads.listingRef(t));
      const frames = stackFrames(
        view,
        t.pos,
        source,
        (pos) => this.frames.create({ thread: t.id, pos }),
        (l) => this.convertDebuggerLineToClient(l),
      );
      response.body = { stackFrames: frames, totalFrames: frames.length };
    });
  }

  protected override sourceRequest(response: DebugProtocol.SourceResponse, args: DebugProtocol.SourceArguments): void {
    this.answer(response, async () => {
      const ref = args.source?.sourceReference ?? args.sourceReference;
      const content = await this.o.threads.listing(ref);
      if (content === undefined) throw new Error(`no source ${ref}`);
      response.body = { content, mimeType: 'text/plain' };
    });
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    this.answer(response, async () => {
      const { view, pos } = await this.at(args.frameId);
      const d = await view.detailAt(pos);
      if (!d) throw new Error(`no entry at #${pos}`);
      response.body = { scopes: scopes(d, this.vars) };
    });
  }

  protected override variablesRequest(
    response: DebugProtocol.VariablesResponse,
    args: DebugProtocol.VariablesArguments,
  ): void {
    this.answer(response, () => {
      response.body = { variables: this.vars.variables(args) };
    });
  }

  protected override evaluateRequest(
    response: DebugProtocol.EvaluateResponse,
    args: DebugProtocol.EvaluateArguments,
  ): void {
    this.answer(response, async () => {
      const { thread, view, pos } = await this.at(args.frameId);
      const goto = /^\.goto\s+(\S+)\s*$/.exec(args.expression.trim());
      if (!goto && /^\.goto(\s|$)/.test(args.expression.trim())) throw new Error(GOTO_USAGE);
      if (goto) {
        const ref = goto[1]!;
        const to = /^#\d+$/.test(ref) ? Number(ref.slice(1)) : await view.positionOf(ref.toLowerCase());
        if (to === undefined || to >= view.length)
          throw new Error(`no entry ${goto[1]} on ${view.actor}/${view.branch}`);
        response.body = { result: `at ${await this.o.threads.describe(thread, to)}`, variablesReference: 0 };
        this.o.motion.halt();
        setImmediate(() => this.stopAt(thread, to, 'goto'));
        return;
      }
      const r = evaluate(args.expression, await view.detailAt(pos));
      const v = this.vars.variable('', r.value, r.statePath);
      response.body = {
        result: v.value,
        type: v.type,
        variablesReference: v.variablesReference,
        indexedVariables: v.indexedVariables,
        namedVariables: v.namedVariables,
      };
    });
  }

  /** A frame's thread, view and position; without a frame id, where the launched thread stands. */
  private async at(frameId: number | undefined): Promise<{ thread: ThreadState; view: BranchView; pos: number }> {
    const { threads, main } = this.o;
    const f = frameId === undefined ? { thread: main.id, pos: main.pos } : this.frames.get(frameId);
    if (!f) throw new Error(`frame ${frameId} is gone (the thread has moved)`);
    const thread = threads.get(f.thread);
    return { thread, view: await threads.view(thread), pos: f.pos };
  }

  // ---- breakpoints ---------------------------------------------------------------------------------------------
  protected override setFunctionBreakPointsRequest(
    response: DebugProtocol.SetFunctionBreakpointsResponse,
    args: DebugProtocol.SetFunctionBreakpointsArguments,
  ): void {
    // In force at once; checked against the chain's functions when it is open (else once launch/attach opens it).
    const answers = this.breakpoints.setFunctions(args.breakpoints);
    const opened = this.opened;
    if (!opened) {
      response.body = { breakpoints: answers };
      return this.sendResponse(response);
    }
    this.answer(response, async () => {
      response.body = { breakpoints: this.breakpoints.checkFunctions(answers, await opened.chain.names()) };
    });
  }

  protected override setExceptionBreakPointsRequest(
    response: DebugProtocol.SetExceptionBreakpointsResponse,
    args: DebugProtocol.SetExceptionBreakpointsArguments,
  ): void {
    this.breakpoints.stopOnErrors = args.filters.includes('error');
    this.sendResponse(response);
  }

  /** Lines of a chain listing are entries of its branch. */
  protected override setBreakPointsRequest(
    response: DebugProtocol.SetBreakpointsResponse,
    args: DebugProtocol.SetBreakpointsArguments,
  ): void {
    this.answer(response, async () => {
      const asked = args.breakpoints ?? [];
      const t = args.source.sourceReference ? this.opened?.threads.byListing(args.source.sourceReference) : undefined;
      if (!t) {
        const message =
          'Theater breakpoints go on lines of a chain listing, on functions (interface.function) or on the state';
        response.body = { breakpoints: asked.map(() => ({ verified: false, message })) };
        return;
      }
      const view = await this.o.threads.view(t);
      const seqs = asked.map((b) => this.convertClientLineToDebugger(b.line) - 1);
      response.body = { breakpoints: this.breakpoints.setEntries(`${t.actor}@${t.branch}`, seqs, view.length) };
    });
  }

  protected override dataBreakpointInfoRequest(
    response: DebugProtocol.DataBreakpointInfoResponse,
    args: DebugProtocol.DataBreakpointInfoArguments,
  ): void {
    this.answer(response, () => {
      const problem = args.variablesReference ? undefined : pathProblem(args.name);
      if (problem) {
        response.body = { dataId: null, description: problem };
        return;
      }
      const path = args.variablesReference
        ? this.vars.statePathOf(args.variablesReference, args.name)
        : parsePath(args.name);
      if (!path) {
        response.body = { dataId: null, description: 'Only parts of the State can be watched' };
        return;
      }
      const id = formatPath(path);
      response.body = { dataId: id, description: `${id} changes`, accessTypes: ['write'], canPersist: true };
    });
  }

  protected override setDataBreakpointsRequest(
    response: DebugProtocol.SetDataBreakpointsResponse,
    args: DebugProtocol.SetDataBreakpointsArguments,
  ): void {
    response.body = { breakpoints: this.breakpoints.setData(args.breakpoints) };
    this.sendResponse(response);
  }

  // ---- moving --------------------------------------------------------------------------------------------------
  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.move(response, args.threadId, step.next);
  }
  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.move(response, args.threadId, step.stepIn);
  }
  protected override stepOutRequest(
    response: DebugProtocol.StepOutResponse,
    args: DebugProtocol.StepOutArguments,
  ): void {
    this.move(response, args.threadId, step.stepOut);
  }
  protected override stepBackRequest(
    response: DebugProtocol.StepBackResponse,
    args: DebugProtocol.StepBackArguments,
  ): void {
    this.move(response, args.threadId, step.stepBack);
  }

  private move(response: DebugProtocol.Response, threadId: number, to: (v: BranchView, i: number) => number): void {
    this.answer(response, () => this.o.motion.step(this.o.threads.get(threadId), to));
  }

  protected override continueRequest(
    response: DebugProtocol.ContinueResponse,
    args: DebugProtocol.ContinueArguments,
  ): void {
    response.body = { allThreadsContinued: false };
    this.answer(response, () => this.o.motion.run(this.o.threads.get(args.threadId), 1));
  }

  protected override reverseContinueRequest(
    response: DebugProtocol.ReverseContinueResponse,
    args: DebugProtocol.ReverseContinueArguments,
  ): void {
    this.answer(response, () => this.o.motion.run(this.o.threads.get(args.threadId), -1));
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse, args: DebugProtocol.PauseArguments): void {
    this.answer(response, () => {
      const { motion, threads } = this.o;
      const t = motion.current ?? threads.get(args.threadId);
      motion.halt();
      setImmediate(() => this.stopAt(t, t.pos, 'pause'));
    });
  }

  protected override gotoTargetsRequest(
    response: DebugProtocol.GotoTargetsResponse,
    args: DebugProtocol.GotoTargetsArguments,
  ): void {
    this.answer(response, async () => {
      const { threads } = this.o;
      const t = args.source.sourceReference ? threads.byListing(args.source.sourceReference) : undefined;
      if (!t) throw new Error('goto works on a chain listing (the source a stack frame points at)');
      const view = await threads.view(t);
      const pos = this.convertClientLineToDebugger(args.line) - 1;
      if (pos < 0 || pos >= view.length) throw new Error(`line ${args.line} is past the last entry`);
      const id = this.frames.create({ thread: t.id, pos });
      response.body = { targets: [{ id, label: await threads.describe(t, pos), line: args.line }] };
    });
  }

  protected override gotoRequest(response: DebugProtocol.GotoResponse, args: DebugProtocol.GotoArguments): void {
    this.answer(response, () => {
      const target = this.frames.get(args.targetId);
      if (!target) throw new Error(`goto target ${args.targetId} is gone (the thread has moved)`);
      const t = this.o.threads.get(target.thread);
      this.o.motion.halt();
      setImmediate(() => this.stopAt(t, target.pos, 'goto'));
    });
  }

  /** Moves a thread and tells the client; every reference handed out before is dropped (DAP's lifetime rule). */
  private async stopAt(
    t: ThreadState,
    pos: number,
    reason: string,
    description?: string,
    hitIds?: readonly number[],
  ): Promise<void> {
    t.pos = pos;
    this.vars.reset();
    this.frames.reset();
    const e: DebugProtocol.StoppedEvent = new StoppedEvent(reason, t.id);
    const at = description ?? (await this.opened?.threads.describe(t, pos).catch(() => undefined));
    e.body.description = description ?? `${reason}: ${at ?? `#${pos}`}`;
    e.body.text = description;
    e.body.allThreadsStopped = false;
    if (hitIds && hitIds.length > 0) e.body.hitBreakpointIds = [...hitIds];
    this.sendEvent(e);
  }
}
