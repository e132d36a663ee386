// A third-party C++ program using the installed libdialogueduck: the
// header must compile as C++ and its functions link with C names (the
// extern "C" guards). Built by tests/tool/test_library.sh with only
// `pkg-config --cflags --libs dialogueduck`. It runs the analyzer and the
// renderer, the program's two-pass path, on one second of silence
// through RAII wrappers. Prints "N passed, N failed".
//
// This file is part of dialogueduck (LGPL-2.1-or-later).
#include <cstdio>
#include <memory>
#include <vector>

#include <dialogueduck.h>

namespace {

int passed, failed;

void check(bool cond, const char *what)
{
    if (cond) {
        passed++;
    } else {
        failed++;
        std::fprintf(stderr, "FAIL: %s\n", what);
    }
}

struct AnalyzerFree {
    void operator()(DDAnalyzer *a) const { dd_analyzer_free(&a); }
};
struct RendererFree {
    void operator()(DDRenderer *r) const { dd_renderer_free(&r); }
};

} // namespace

int main()
{
    const int rate = 44100, block = 512;
    DDParams p;
    dd_params_default(&p);

    DDAnalyzer *a_raw = nullptr;
    check(dd_analyzer_create(&a_raw, &p, rate, 2, -1, 0, nullptr) == DD_OK,
          "analyzer created");
    std::unique_ptr<DDAnalyzer, AnalyzerFree> a(a_raw);

    std::vector<float> left(block), right(block);
    const float *dlg[2] = { left.data(), right.data() };
    int fed = 0;
    while (a && fed < rate) {
        check(dd_analyzer_feed_dialogue(a.get(), dlg, block) == DD_OK,
              "dialogue fed");
        fed += block;
    }
    check(a && dd_analyzer_finish(a.get()) == DD_OK, "finished");
    std::vector<DDKeyframe> kf(64);
    int nb = a ? dd_analyzer_read_keyframes(a.get(), kf.data(), 64) : -1;
    check(nb >= 0, "keyframes read");
    std::vector<DDRegion> regions(16);
    check(a && dd_analyzer_read_regions(a.get(), regions.data(), 16) == 0,
          "no duck region in silence");
    check(a && dd_analyzer_committed(a.get()) >= fed, "all committed");

    DDRenderer *r_raw = nullptr;
    check(dd_renderer_create(&r_raw, rate, 1, 1, nullptr) == DD_OK,
          "spectral renderer created");
    std::unique_ptr<DDRenderer, RendererFree> r(r_raw);
    std::vector<float> music(block, 0.5f), out(block);
    const float *in[1] = { music.data() };
    float *outp[1] = { out.data() };
    if (r && nb > 0)
        check(dd_renderer_set_keyframes(r.get(), kf.data(), nb) == DD_OK,
              "keyframes handed over");
    check(r && dd_renderer_process(r.get(), in, outp, block) >= 0,
          "rendered");
    check(r && dd_renderer_gain_db(r.get(), 0) == 0.0,
          "no gain change without dialogue");
    check(dd_hop_size(rate) == rate / DD_HOPS_PER_SECOND, "hop size");
    check(DD_IS_ERROR(DD_ERROR_ORDER), "error codes");

    std::printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
