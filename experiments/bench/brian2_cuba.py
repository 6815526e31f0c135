#!/usr/bin/python3
"""The Brian2 peer of the CUBA benchmark (issue 3): Brian2's CUBA example (Brette et al. 2007, benchmark 2)
at a given size, in C++ standalone mode or runtime mode, printing one JSON line with the same fields as
qsnn_bench_cuba. Run with Debian's python3 and python3-brian (apt-get install python3-brian cython3).

  /usr/bin/python3 brian2_cuba.py --size 4000 --mode standalone --threads 1 --duration 10

Model, as in Brian2's examples/CUBA.py: one NeuronGroup P of N neurons, excitatory synapses Ce from
i < 0.8 N (ge += we), inhibitory Ci from i >= 0.8 N (gi += wi), each connect()ed with probability p
(self pairs allowed), method 'exact', dt = 0.1 ms. Larger sizes use the preset of experiments/networks/
cuba_network.hpp: p = 0.02 up to 40,000 neurons, 80 / N above; we and wi scaled by 80 / (p N).

Timings:
  standalone: compile_s = code generation + compilation (device.build with run=False);
              run_s = Brian2's own measurement of Network.run in the binary (results/last_run_info.txt,
              omp_get_wtime; openmp_threads = threads, so 1 thread is OpenMP with one thread);
              setup_s = wall time of the binary minus run_s (array initialisation, synapse creation,
              writing results); peak_rss_mb = the binary's own peak RSS (ru_maxrss from wait4).
  runtime:    setup_s = code generation/compilation and synapse creation (connect + a one-step run that
              builds every code object); run_s = wall time of net.run(duration) alone;
              peak_rss_mb = this process's peak RSS (VmHWM).
Synaptic events = sum over neurons of spike count x out-degree (SpikeMonitor(record=False) counts).
Bytes per synapse = every per-synapse array of Ce and Ci (indices, N_incoming/N_outgoing, delays, ...)
plus 4 bytes per synapse for the spike queue's synapse lists (an estimate of the C++ queue, which holds one
int32 synapse index per synapse grouped by source and delay).
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time


def status_kb(field):
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return float(line.split()[1])
    return 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--size', type=int, default=4000)
    parser.add_argument('--mode', choices=['standalone', 'runtime'], default='standalone')
    parser.add_argument('--target', default='cython', help='runtime code generation target (cython or numpy)')
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--duration', type=float, default=10.0, help='biological time in seconds')
    parser.add_argument('--probability', type=float, default=0.0, help='0: the preset for the size')
    parser.add_argument('--weight-scale', type=float, default=0.0, help='0: 80 / fan-out')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--build-dir', default='', help='standalone project directory (default: a temporary one)')
    parser.add_argument('--keep', action='store_true', help='keep the standalone project directory')
    args = parser.parse_args()

    rss_before_kb = status_kb('VmRSS')
    import numpy as np
    import brian2 as b2
    from brian2 import ms, mV, second

    N = args.size
    p = args.probability if args.probability > 0 else (0.02 if N <= 40000 else 80.0 / N)
    scale = args.weight_scale if args.weight_scale > 0 else 80.0 / (p * N)
    Ne = int(N * 0.8)
    duration = args.duration * second

    build_dir = None
    if args.mode == 'standalone':
        build_dir = args.build_dir or tempfile.mkdtemp(prefix='brian2_cuba_')
        b2.set_device('cpp_standalone', directory=build_dir, build_on_run=False)
        b2.prefs.devices.cpp_standalone.openmp_threads = args.threads
        # The binary's peak memory: run it through a wrapper that reports ru_maxrss of that child alone
        # (the compiler's children would otherwise dominate RUSAGE_CHILDREN).
        b2.prefs.devices.cpp_standalone.run_cmd_unix = [
            sys.executable, '-c',
            'import os, subprocess, sys, time; t = time.time(); p = subprocess.Popen(["./main"]); '
            '_, status, usage = os.wait4(p.pid, 0); '
            'open("results/wrapper_info.txt", "w").write("%d %.6f" % (usage.ru_maxrss, time.time() - t)); '
            'sys.exit(os.waitstatus_to_exitcode(status))']
    else:
        b2.prefs.codegen.target = args.target
    b2.seed(args.seed)
    b2.defaultclock.dt = 0.1 * ms

    setup_start = time.perf_counter()
    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    Vt, Vr, El = -50 * mV, -60 * mV, -49 * mV
    eqs = '''
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    '''
    P = b2.NeuronGroup(N, eqs, threshold='v>Vt', reset='v = Vr', refractory=5 * ms, method='exact')
    P.v = 'Vr + rand() * (Vt - Vr)'
    P.ge = 0 * mV
    P.gi = 0 * mV
    we = (60 * 0.27 / 10) * mV * scale
    wi = (-20 * 4.5 / 10) * mV * scale
    Ce = b2.Synapses(P, P, on_pre='ge += we')
    Ci = b2.Synapses(P, P, on_pre='gi += wi')
    Ce.connect('i<Ne', p=p)
    Ci.connect('i>=Ne', p=p)
    s_mon = b2.SpikeMonitor(P, record=False)
    net = b2.Network(P, Ce, Ci, s_mon)
    namespace = dict(taum=taum, taue=taue, taui=taui, Vt=Vt, Vr=Vr, El=El, we=we, wi=wi, Ne=Ne)

    result = {'impl': 'brian2', 'size': N, 'threads': args.threads, 'duration_s': args.duration,
              'steps': int(round(args.duration / 1e-4)), 'probability': p, 'fan_out': p * N, 'weight_scale': scale}
    if args.mode == 'standalone':
        result['mode'] = 'standalone'
        net.run(duration, namespace=namespace)
        compile_start = time.perf_counter()
        b2.device.build(directory=build_dir, compile=True, run=False, clean=True)
        result['compile_s'] = time.perf_counter() - compile_start + (compile_start - setup_start)
        b2.device.run(build_dir, with_output=False, run_args=[])
        with open(os.path.join(build_dir, 'results', 'wrapper_info.txt')) as f:
            maxrss_kb, wall_s = f.read().split()
        run_s = float(b2.device._last_run_time)
        result['run_s'] = run_s
        result['setup_s'] = float(wall_s) - run_s
        result['build_s'] = result['setup_s']
        result['peak_rss_mb'] = float(maxrss_kb) / 1024.0
        result['rss_delta_mb'] = result['peak_rss_mb']  # the binary starts from nothing
    else:
        result['mode'] = 'runtime-' + args.target
        net.run(b2.defaultclock.dt, namespace=namespace)  # builds and compiles every code object
        result['setup_s'] = time.perf_counter() - setup_start
        result['build_s'] = result['setup_s']
        result['compile_s'] = 0.0
        counts_before = np.array(s_mon.count[:], dtype=np.int64)
        run_start = time.perf_counter()
        net.run(duration, namespace=namespace)
        result['run_s'] = time.perf_counter() - run_start
        result['peak_rss_mb'] = status_kb('VmHWM') / 1024.0
        result['rss_delta_mb'] = (status_kb('VmHWM') - rss_before_kb) / 1024.0

    counts = np.array(s_mon.count[:], dtype=np.int64)
    if args.mode == 'runtime':
        counts = counts - counts_before  # the one set-up step is not part of the measured run
    ce_i = np.asarray(Ce.i[:], dtype=np.int64)
    ci_i = np.asarray(Ci.i[:], dtype=np.int64)
    out_degree = np.bincount(ce_i, minlength=N) + np.bincount(ci_i, minlength=N)
    synapses = len(ce_i) + len(ci_i)
    events = int(np.dot(counts, out_degree))
    sim_s = args.duration
    spikes = int(counts.sum())
    run_s = result['run_s']
    # Distinct per-synapse arrays (i, j, _presynaptic_idx are views of _synaptic_pre/_post) plus the pathway's
    # per-synapse delays, and 4 bytes per synapse for the spike queue (estimate, see the module doc).
    synapse_bytes = 4 * synapses
    for syn in (Ce, Ci):
        n_syn = len(syn)
        seen = set()
        candidates = list(syn.variables.values()) + [path.variables['delay'] for path in syn._pathways]
        for var in candidates:
            if id(var) in seen or getattr(var, 'scalar', True) or not hasattr(var, 'dtype'):
                continue
            seen.add(id(var))
            if type(var).__name__ != 'DynamicArrayVariable':
                continue
            try:  # standalone: the sizes are those of the arrays the binary wrote
                length = len(var.get_value())
            except Exception:  # noqa: BLE001 - fall back to the declared size
                length = getattr(var, 'size', None)
            if length == n_syn:
                synapse_bytes += np.dtype(var.dtype).itemsize * n_syn
    per_synapse = synapse_bytes / max(synapses, 1)
    result.update({
        'run_s_per_sim_s': run_s / sim_s,
        'spikes': spikes,
        'spikes_exc': int(counts[:Ne].sum()),
        'spikes_inh': int(counts[Ne:].sum()),
        'rate_hz': spikes / (N * sim_s),
        'rate_exc_hz': counts[:Ne].sum() / (Ne * sim_s),
        'rate_inh_hz': counts[Ne:].sum() / ((N - Ne) * sim_s),
        'synapses': synapses,
        'events': events,
        'events_per_s': events / run_s,
        'neuron_steps_per_s': N * result['steps'] / run_s,
        'bytes_per_synapse': per_synapse,
    })
    print(json.dumps(result))
    sys.stdout.flush()
    if build_dir and not args.keep and not args.build_dir:
        shutil.rmtree(build_dir, ignore_errors=True)


if __name__ == '__main__':
    main()
