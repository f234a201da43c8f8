pragma circom 2.1.0;

include "./range.circom";

// Scan risk of one underlying: L = max(0, max_k loss[k]) and its direction,
// the sign of the price move of the first scenario (in table order) that
// attains L; 0 when L = 0 (XM-1 section 4).
//
// The prover names the scenario (sel, one-hot; all zero when L = 0). The
// circuit checks that L equals that scenario's loss, that L >= 1 unless no
// scenario is named, that no scenario loses more, and that every earlier one
// loses strictly less. Losses are in 1e-14 USD and must lie in (-2^n, 2^n).
template ScanRisk(n) {
    signal input loss[16];
    signal output L;
    signal output dir;

    // sign of m_k for k = 1..16
    var moveSign[16] = [0, 0, 1, 1, -1, -1, 1, 1, -1, -1, 1, 1, -1, -1, 1, -1];

    // witness: the first scenario with the largest positive loss (circom
    // compares field elements as signed numbers)
    var best = 0;
    var bestK = 16;
    for (var k = 0; k < 16; k++) {
        if (loss[k] > best) {
            best = loss[k];
            bestK = k;
        }
    }

    signal sel[16];
    signal picked[16];
    component bit[16];
    var named = 0;
    var acc = 0;
    var direction = 0;
    for (var k = 0; k < 16; k++) {
        sel[k] <-- k == bestK ? 1 : 0;
        bit[k] = AssertBit();
        bit[k].in <== sel[k];
        picked[k] <== sel[k] * loss[k];
        named += sel[k];
        acc += picked[k];
        direction += moveSign[k] * sel[k];
    }
    signal none <== 1 - named;
    none * (none - 1) === 0;
    L <== acc;
    dir <== direction;

    component atLeastOne = RangeCheck(n);
    atLeastOne.in <== L - named;
    component notExceeded[16];
    var later = 0;
    for (var k = 15; k >= 0; k--) {
        // scenarios before the named one must lose strictly less
        notExceeded[k] = RangeCheck(n + 1);
        notExceeded[k].in <== L - loss[k] - later;
        later += sel[k];
    }
}
