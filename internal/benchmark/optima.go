package benchmark

// Published optima that the instance files do not carry themselves. The
// p-median optima of orlib-pmed come from pmedopt.txt and the single-source
// CFLP optima of sscflp-or from the file os, both read at run time.

// pcenterOptima are the vertex p-center optima of Beasley's OR-Library
// p-median graphs pmed1..pmed40 (same p as the p-median instance), as
// published by M.S. Daskin, "Network and Discrete Location" (Wiley, 1995)
// and S. Elloumi, M. Labbé, Y. Pochet, "A new formulation and resolution
// method for the p-center problem", INFORMS J. Computing 16 (2004) 84–94.
var pcenterOptima = [40]float64{
	127, 98, 93, 74, 48, 84, 64, 55, 37, 20,
	59, 51, 36, 26, 18, 47, 39, 28, 18, 13,
	40, 38, 22, 15, 11, 38, 32, 18, 13, 9,
	30, 29, 15, 11, 30, 27, 15, 29, 23, 13,
}

// cpmpOptima are the capacitated p-median optima of the São José dos Campos
// instances of L.A.N. Lorena and E.L.F. Senne, "A column generation approach
// to capacitated p-median problems", Computers & Operations Research 31
// (2004) 863–876, proved optimal by A. Ceselli and G. Righini, Networks 45
// (2005) 125–142, and M. Boccia et al. (2008). Costs are real Euclidean
// distances.
var cpmpOptima = []struct {
	file    string
	optimum float64
}{
	{"SJC1.dat", 17288.99},
	{"SJC2.dat", 33270.94},
	{"SJC3a.dat", 45335.16},
	{"SJC3b.dat", 40635.90},
	{"SJC4a.dat", 61925.51},
	{"SJC4b.dat", 52458.00},
}

// mclpOptima are the maximal covering optima (covered demand with p sites,
// coverage when the Euclidean distance is at most S metres) and the fewest
// sites covering all demand (LSCP) for the São José dos Campos instances of
// L.A.N. Lorena and M.A. Pereira, "A Lagrangean/surrogate heuristic for the
// maximal covering location problem using Hillsman's edition", Int. J.
// Industrial Engineering 9(1) (2002) 57–67; optimality proven with an exact
// MIP solver on the classic MCLP model (shared/benchmarks/README.md).
var mclpOptima = []struct {
	name    string  // coordinates file SJCn.txt, demand file demand-SJCn.dat
	radius  float64 // S, metres
	covered []float64
	lscp    float64
}{
	{"SJC324", 800, []float64{5461, 8790, 11604, 12106, 12152}, 5},
	{"SJC324", 1200, []float64{9932, 11555, 12152}, 3},
	{"SJC402", 800, []float64{6555, 11339, 14690, 15658, 15970, 15984}, 6},
	{"SJC402", 1200, []float64{10607, 14832, 15984}, 3},
}
