#!/usr/bin/python3
"""The Brian2 peer of the learning benchmark: the Diehl & Cook network of experiments/networks/
diehl_cook_network.hpp (its current-based equivalent, the same equations qsnn runs) trained with pair STDP on
the same synthetic images, in C++ standalone or runtime mode, printing one JSON line with the fields of
qsnn_bench_stdp. Run with Debian's python3 and python3-brian.

  /usr/bin/python3 brian2_stdp.py --images images.u8 --samples 100 --mode standalone --threads 1

The peer at its best (as the issue asks):
  - traces per neuron, not per synapse: the presynaptic trace apre lives in the input NeuronGroup, the
    postsynaptic trace apost in the excitatory one; the synapses only read them (apre_pre, apost_post);
  - the whole training is one run() call: the images come from a TimedArray of rates (dt = 50 ms: 7 rows
    of image, 3 rows of rest per 500 ms sample), and the weight normalization before each sample is three
    run_regularly operations every 500 ms at the start of the step (zero the per-neuron sums, add each
    synapse's weight to its target's sum, scale), so nothing runs per synapse on the other 999 steps.
Rule (nearest-spike pair STDP, D&C's pre = 1 / post1 = 1 traces; learning::PairStdp with Pairing::nearest):
  pre spike:  w <- clip(w - nu_pre * apost, 0, w_max), then ge_post += w * je   (apost: earlier post spikes)
  post spike: w <- clip(w + nu_post * apre, 0, w_max)                           (apre: earlier pre spikes)
  then the spiking neuron's trace is set to 1 (reset, after the synapses, as qsnn adds a step's spikes to
  the traces after the hooks).
Neurons: see diehl_cook_network.hpp (exact integration, dt = 0.5 ms). Inputs spike with probability
rate * dt per step (Bernoulli, rand() < rate * dt), as qsnn's PoissonSource. No rate boost (one run()
cannot repeat a sample), so qsnn runs without --boost for the comparison.

Timings: standalone run_s = Brian2's own measurement of the simulation loop (last_run_info), setup_s =
binary wall time minus run_s, compile_s = code generation + g++; runtime run_s = net.run of the whole
training (cython target), setup_s = building every code object (a one-step run before).
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

N_INPUTS = 784


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--images', required=True, help='samples x 784 uint8 pixels (qsnn_bench_stdp --write-images)')
    parser.add_argument('--samples', type=int, default=0, help='0: all images in the file')
    parser.add_argument('--n-exc', type=int, default=400)
    parser.add_argument('--mode', choices=['standalone', 'runtime'], default='standalone')
    parser.add_argument('--target', default='cython', help='runtime code generation target (cython or numpy)')
    parser.add_argument('--threads', type=int, default=1, help='standalone: OpenMP threads')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--build-dir', default='', help='standalone project directory (default: a temporary one)')
    args = parser.parse_args()

    import numpy as np
    import brian2 as b2
    from brian2 import ms, mV, Hz

    pixels = np.fromfile(args.images, dtype=np.uint8).reshape(-1, N_INPUTS)
    samples = args.samples or len(pixels)
    pixels = pixels[:samples]
    n_exc = args.n_exc

    build_dir = None
    if args.mode == 'standalone':
        build_dir = args.build_dir or tempfile.mkdtemp(prefix='brian2_stdp_')
        b2.set_device('cpp_standalone', directory=build_dir, build_on_run=False)
        # One thread: no OpenMP at all (its per-step barriers cost); more: OpenMP with that many.
        b2.prefs.devices.cpp_standalone.openmp_threads = args.threads if args.threads > 1 else 0
    else:
        b2.prefs.codegen.target = args.target
    b2.seed(args.seed)
    dt = 0.5 * ms
    b2.defaultclock.dt = dt
    setup_start = time.perf_counter()

    # Constants of experiments/networks/diehl_cook_network.hpp (DiehlCookConstants).
    exc_operating = (-65.0 + -52.0) / 2.0
    namespace = dict(
        v_rest_e=-65 * mV, v_reset_e=-65 * mV, v_th_e=-52 * mV, tau_e=100 * ms, tau_ge_e=1 * ms, tau_gi_e=2 * ms,
        theta_plus=0.07 * mV, tau_theta=1e7 * ms,
        v_rest_i=-60 * mV, v_reset_i=-45 * mV, v_th_i=-40 * mV, tau_i=10 * ms, tau_ge_i=1 * ms,
        je=(0.0 - exc_operating) * mV, jei=10.4 * (0.0 - (-60.0 + -40.0) / 2.0) * mV,
        jie=17.0 * (-100.0 - exc_operating) * mV,
        wmax=1.0, nu_pre=0.0001, nu_post=0.01, tau_pre=20 * ms, tau_post=20 * ms, norm=78.4)

    # 50 ms rows: 7 of image (rate = pixel / 4 Hz), 3 of rest.
    rows = np.zeros((samples * 10, N_INPUTS))
    for k in range(samples):
        rows[10 * k:10 * k + 7] = pixels[k] / 4.0
    namespace['stimulus'] = b2.TimedArray(rows * Hz, dt=50 * ms)

    inp = b2.NeuronGroup(N_INPUTS, 'dapre/dt = -apre / tau_pre : 1', threshold='rand() < stimulus(t, i) * dt',
                         reset='apre = 1', method='exact', name='inp')
    exc = b2.NeuronGroup(n_exc, '''
        dv/dt = (ge + gi - (v - v_rest_e)) / tau_e : volt (unless refractory)
        dge/dt = -ge / tau_ge_e : volt
        dgi/dt = -gi / tau_gi_e : volt
        dtheta/dt = -theta / tau_theta : volt
        dapost/dt = -apost / tau_post : 1
        wsum : 1
        ''', threshold='v > v_th_e + theta', reset='v = v_reset_e; theta += theta_plus; apost = 1',
        refractory=2 * ms, method='exact', name='exc')
    exc.v = -65 * mV
    inh = b2.NeuronGroup(n_exc, '''
        dv/dt = (ge - (v - v_rest_i)) / tau_i : volt (unless refractory)
        dge/dt = -ge / tau_ge_i : volt
        ''', threshold='v > v_th_i', reset='v = v_reset_i', refractory=2 * ms, method='exact', name='inh')
    inh.v = -60 * mV
    s_in = b2.Synapses(inp, exc, 'w : 1',
                       on_pre='w = clip(w - nu_pre * apost_post, 0, wmax)\nge_post += w * je',
                       on_post='w = clip(w + nu_post * apre_pre, 0, wmax)', name='s_in')
    s_in.connect()
    s_in.w = 'rand() * 0.3'
    s_ei = b2.Synapses(exc, inh, on_pre='ge_post += jei', name='s_ei')
    s_ei.connect(j='i')
    s_ie = b2.Synapses(inh, exc, on_pre='gi_post += jie', name='s_ie')
    s_ie.connect(condition='i != j')
    # Normalization before each sample (t = 0, 500 ms, ...), in this order at the start of the step.
    exc.run_regularly('wsum = 0', dt=500 * ms, when='start', order=-3, name='norm_zero')
    s_in.run_regularly('wsum_post += w', dt=500 * ms, when='start', order=-2, name='norm_sum')
    s_in.run_regularly('w = w * norm / wsum_post', dt=500 * ms, when='start', order=-1, name='norm_scale')
    mons = [b2.SpikeMonitor(g, record=False) for g in (inp, exc, inh)]
    net = b2.Network(inp, exc, inh, s_in, s_ei, s_ie, *mons)
    duration = samples * 500 * ms

    result = {'impl': 'brian2', 'rule': 'pair', 'threads': args.threads, 'samples': samples, 'boosts': 0,
              'n_exc': n_exc}
    if args.mode == 'standalone':
        result['mode'] = 'standalone'
        net.run(duration, namespace=namespace)
        b2.device.build(directory=build_dir, compile=True, run=False, clean=True)
        result['compile_s'] = time.perf_counter() - setup_start
        wall_start = time.perf_counter()
        b2.device.run(build_dir, with_output=False, run_args=[])
        wall_s = time.perf_counter() - wall_start
        run_s = float(b2.device._last_run_time)
        result['setup_s'] = wall_s - run_s
    else:
        result['mode'] = 'runtime-' + args.target
        result['threads'] = 1
        net.run(dt, namespace=namespace)  # builds and compiles every code object
        result['setup_s'] = time.perf_counter() - setup_start
        result['compile_s'] = 0.0
        run_start = time.perf_counter()
        net.run(duration - dt, namespace=namespace)
        run_s = time.perf_counter() - run_start
    result['run_s'] = run_s

    input_spikes, exc_spikes, inh_spikes = (int(np.asarray(m.count[:]).sum()) for m in mons)
    events = input_spikes * n_exc + exc_spikes + inh_spikes * (n_exc - 1)
    updates = input_spikes * n_exc + exc_spikes * N_INPUTS
    result.update({
        's_per_sample': run_s / samples,
        'input_spikes': input_spikes, 'exc_spikes': exc_spikes, 'inh_spikes': inh_spikes,
        'events': events, 'plastic_updates': updates,
        'updates_per_s': updates / run_s, 'events_per_s': events / run_s,
        'rate_exc_hz': exc_spikes / (n_exc * samples * 0.5),
        'input_spikes_per_sample': input_spikes / samples,
        'mean_weight': float(np.mean(np.asarray(s_in.w[:]))),
        'mean_theta_mv': float(np.mean(np.asarray(exc.theta[:]) / mV)),
        'epoch_projection_s': run_s / samples * 60000, 'epoch_mode': False,
    })
    print(json.dumps(result))
    sys.stdout.flush()
    if build_dir and not args.build_dir:
        shutil.rmtree(build_dir, ignore_errors=True)


if __name__ == '__main__':
    main()
