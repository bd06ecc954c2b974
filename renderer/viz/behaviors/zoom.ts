/**
 * A framework-free d3-zoom wrapper (after xyflow's XYPanZoom): created once in an effect, fed new extents with
 * `update`, torn down with `destroy`. React never sees d3's DOM work; it only receives transforms.
 */
import { select, zoom, zoomIdentity, type D3ZoomEvent, type ZoomBehavior, type ZoomTransform } from 'd3';

export interface PanZoomOptions {
  readonly onTransform: (t: ZoomTransform, byUser: boolean) => void;
  readonly minZoom: number;
  readonly maxZoom: number;
}

export interface PanZoom {
  update(opts: { minZoom?: number; maxZoom?: number }): void;
  /** Move programmatically (follow the head, jump to an entry); reported with byUser = false. */
  setTransform(t: ZoomTransform, animateMs?: number): void;
  transform(): ZoomTransform;
  destroy(): void;
}

export function createPanZoom(el: HTMLElement, opts: PanZoomOptions): PanZoom {
  const sel = select<HTMLElement, unknown>(el);
  let current: ZoomTransform = zoomIdentity;
  const behavior: ZoomBehavior<HTMLElement, unknown> = zoom<HTMLElement, unknown>()
    .scaleExtent([opts.minZoom, opts.maxZoom])
    // Horizontal wheel/trackpad pans the timeline; vertical wheel zooms (ctrl not required, as in DevTools' timeline).
    .filter((ev: Event) => !(ev instanceof MouseEvent && ev.button !== 0 && ev.type === 'mousedown'))
    .on('zoom', (ev: D3ZoomEvent<HTMLElement, unknown>) => {
      // The y axis is lanes, which always fit: keep pan horizontal only.
      current = zoomIdentity.translate(ev.transform.x, 0).scale(ev.transform.k);
      opts.onTransform(current, ev.sourceEvent != null);
    });
  sel.call(behavior).on('dblclick.zoom', null);

  return {
    update({ minZoom, maxZoom }) {
      behavior.scaleExtent([minZoom ?? opts.minZoom, maxZoom ?? opts.maxZoom]);
    },
    setTransform(t, animateMs = 0) {
      if (animateMs > 0) sel.transition().duration(animateMs).call(behavior.transform, t);
      else sel.call(behavior.transform, t);
    },
    transform: () => current,
    destroy() {
      sel.on('.zoom', null);
      sel.interrupt();
    },
  };
}
