#pragma once
// e^x from IEEE-754 additions and multiplications and a 64-entry table, for the force kernel. It
// gives the same bits on every machine (built with -ffp-contract=off, as crowdsafe is), unlike
// libm's exp, which picks an FMA or a non-FMA variant at run time, and it is inlined: no call,
// no errno. Method (as glibc's, Tang 1989): x = (64·m + j)·ln2/64 + r with |r| ≤ ln2/128
// (ln2 in two parts, Cody & Waite, so the reduction is exact), e^x = 2^m · 2^(j/64) · e^r with
// 2^(j/64) from the table (each entry the double nearest to it) and e^r − 1 by its Taylor
// series to degree 5 (truncation error < 4·10⁻¹⁷).

#include <bit>
#include <cstdint>
#include <limits>

// Functions taking or returning vectors of four doubles are always inlined: a vector passed in a
// call goes in a register with AVX and in memory without, so a call from the force kernel's AVX2
// clone to a function built for the baseline would read garbage (it did, at -O1). Inlined, no
// vector crosses a call, and the ABI note GCC gives for such functions does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace crowdsafe::detail {

/// 2^(j/64), j = 0 … 63, each the nearest double.
inline constexpr double kExp2Table[64] = {
    0x1.0000000000000p+0, 0x1.02c9a3e778061p+0, 0x1.059b0d3158574p+0, 0x1.0874518759bc8p+0,
    0x1.0b5586cf9890fp+0, 0x1.0e3ec32d3d1a2p+0, 0x1.11301d0125b51p+0, 0x1.1429aaea92de0p+0,
    0x1.172b83c7d517bp+0, 0x1.1a35beb6fcb75p+0, 0x1.1d4873168b9aap+0, 0x1.2063b88628cd6p+0,
    0x1.2387a6e756238p+0, 0x1.26b4565e27cddp+0, 0x1.29e9df51fdee1p+0, 0x1.2d285a6e4030bp+0,
    0x1.306fe0a31b715p+0, 0x1.33c08b26416ffp+0, 0x1.371a7373aa9cbp+0, 0x1.3a7db34e59ff7p+0,
    0x1.3dea64c123422p+0, 0x1.4160a21f72e2ap+0, 0x1.44e086061892dp+0, 0x1.486a2b5c13cd0p+0,
    0x1.4bfdad5362a27p+0, 0x1.4f9b2769d2ca7p+0, 0x1.5342b569d4f82p+0, 0x1.56f4736b527dap+0,
    0x1.5ab07dd485429p+0, 0x1.5e76f15ad2148p+0, 0x1.6247eb03a5585p+0, 0x1.6623882552225p+0,
    0x1.6a09e667f3bcdp+0, 0x1.6dfb23c651a2fp+0, 0x1.71f75e8ec5f74p+0, 0x1.75feb564267c9p+0,
    0x1.7a11473eb0187p+0, 0x1.7e2f336cf4e62p+0, 0x1.82589994cce13p+0, 0x1.868d99b4492edp+0,
    0x1.8ace5422aa0dbp+0, 0x1.8f1ae99157736p+0, 0x1.93737b0cdc5e5p+0, 0x1.97d829fde4e50p+0,
    0x1.9c49182a3f090p+0, 0x1.a0c667b5de565p+0, 0x1.a5503b23e255dp+0, 0x1.a9e6b5579fdbfp+0,
    0x1.ae89f995ad3adp+0, 0x1.b33a2b84f15fbp+0, 0x1.b7f76f2fb5e47p+0, 0x1.bcc1e904bc1d2p+0,
    0x1.c199bdd85529cp+0, 0x1.c67f12e57d14bp+0, 0x1.cb720dcef9069p+0, 0x1.d072d4a07897cp+0,
    0x1.d5818dcfba487p+0, 0x1.da9e603db3285p+0, 0x1.dfc97337b9b5fp+0, 0x1.e502ee78b3ff6p+0,
    0x1.ea4afa2a490dap+0, 0x1.efa1bee615a27p+0, 0x1.f50765b6e4540p+0, 0x1.fa7c1819e90d8p+0};

namespace exp_constants {
inline constexpr double kMax = 709.782712893384;  // ln(largest double)
inline constexpr double kMin = -745.2;            // below: e^x rounds to 0
inline constexpr double kMinSingle = -708.0;  // exp_det4: from here to kMaxSingle, 2^m is one
inline constexpr double kMaxSingle = 709.0;   // normal double (m in [−1022, 1022])
inline constexpr double k64OverLn2 = 92.332482616893658;           // 64 / ln2
inline constexpr double kLn2Hi = 6.93147180369123816490e-01 / 64;  // 32 trailing zero bits: exact k·hi
inline constexpr double kLn2Lo = 1.90821492927058770002e-10 / 64;
inline constexpr double kShifter = 6755399441055744.0;             // 1.5·2^52: adding it rounds to an integer
}  // namespace exp_constants

/// e^r − 1 = r + r²/2 + r³/6 + r⁴/24 + r⁵/120 for |r| ≤ ln2/128, evaluated in two halves
/// (shorter latency); T is double or a vector of doubles.
template <class T>
[[gnu::always_inline]] inline T expm1_reduced(T r) {
  const T r2 = r * r;
  return (r + r2 * (0.5 + r * (1.0 / 6.0))) + (r2 * r2) * ((1.0 / 24.0) + r * (1.0 / 120.0));
}

/// e^x with a relative error below 3·10⁻¹⁶ (about 1 ulp; 9 in 10 results equal glibc's) for x
/// in [−708, 709.78]; subnormal down to −745.13, then 0; +∞ above 709.78; NaN stays NaN.
inline double exp_det(double x) {
  using namespace exp_constants;
  if (!(x < kMax)) return x > 0.0 ? std::numeric_limits<double>::infinity() : x;
  if (x < kMin) return 0.0;
  const double k = (x * k64OverLn2 + kShifter) - kShifter;  // nearest integer to 64·x/ln2
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  const double q = expm1_reduced(r);
  const auto ki = static_cast<std::int64_t>(k);
  const double t = kExp2Table[ki & 63];
  // 2^m = 2^m1 · 2^m2 with both factors normal numbers for m in [−1075, 1024].
  const std::int64_t m = ki >> 6;  // floor(k / 64)
  const std::int64_t m1 = m / 2, m2 = m - m1;
  const double s1 = std::bit_cast<double>(static_cast<std::uint64_t>(m1 + 1023) << 52);
  const double s2 = std::bit_cast<double>(static_cast<std::uint64_t>(m2 + 1023) << 52);
  return ((t + t * q) * s1) * s2;
}

/// Four doubles in one vector register (two on SSE2-only builds, which GCC splits it into).
using Double4 = double __attribute__((vector_size(32)));
using Int4 = std::int64_t __attribute__((vector_size(32)));
using Uint4 = std::uint64_t __attribute__((vector_size(32)));

/// exp_det of each of four lanes, bit for bit: the same operations lane-wise, 2^m applied as one
/// factor (exact, as two are, wherever 2^m is a normal double); lanes outside [−708, 709) or NaN
/// go through exp_det.
[[gnu::always_inline]] inline Double4 exp_det4(Double4 x) {
  using namespace exp_constants;
  const Double4 shifted = x * k64OverLn2 + kShifter;
  const Double4 k = shifted - kShifter;
  const Double4 r = (x - k * kLn2Hi) - k * kLn2Lo;
  const Double4 q = expm1_reduced(r);
  // shifted lies in [2^52, 2^53), where its mantissa is 2^51 + k: the difference of the bit
  // patterns is k as an integer, exactly.
  const Int4 ki = std::bit_cast<Int4>(shifted) - std::bit_cast<std::int64_t>(kShifter);
  const Double4 t = {kExp2Table[ki[0] & 63], kExp2Table[ki[1] & 63], kExp2Table[ki[2] & 63], kExp2Table[ki[3] & 63]};
  // m + 1023 = floor(k / 64) + 1023 = (k + 1023·64) / 64, a non-negative shift for x ≥ −708.
  const Uint4 biased = std::bit_cast<Uint4>(ki) + static_cast<std::uint64_t>(1023 * 64);
  const Uint4 scale_bits = (biased >> 6) << 52;
  Double4 e = (t + t * q) * std::bit_cast<Double4>(scale_bits);
  const auto in_range = (x >= kMinSingle) & (x < kMaxSingle);
  if (!(in_range[0] & in_range[1] & in_range[2] & in_range[3])) [[unlikely]]
    for (int l = 0; l < 4; ++l)
      if (!in_range[l]) e[l] = exp_det(x[l]);
  return e;
}

}  // namespace crowdsafe::detail
