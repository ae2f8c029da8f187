# Plots of bench/run.sh, from the data files bench/report writes. Run: gnuplot -e "out='bench/out'" bench/plot.gp
if (!exists("out")) out = 'bench/out'
set terminal pngcairo size 960,540 font "sans,11" noenhanced
set datafile missing "NaN"
set key top left box opaque
set grid xtics ytics mytics

set output out.'/throughput.png'
set title "GetBackendJob throughput vs concurrency (wrk -t1, loopback, one run)"
set xlabel "connections (wrk -c)"
set ylabel "requests/s (log scale)"
set logscale xy 2
set logscale y 10
set xtics (1, 4, 16, 32, 64)
set xrange [0.8:80]
plot out.'/throughput.dat' using 1:3 with linespoints lw 2 pt 5 title "bare net/http (fixed body)", \
     ''                    using 1:2 with linespoints lw 2 pt 7 title "amplifybackendd, auth any", \
     ''                    using 1:4 with linespoints lw 2 pt 9 title "moto_server (AppSync GetGraphqlApi)"

unset logscale
set output out.'/list-latency.png'
set title "Latency vs jobs stored in one environment (one connection)"
set xlabel "jobs stored"
set ylabel "milliseconds (log scale)"
set key top right
set logscale x 10
set logscale y 10
set xtics auto
set autoscale x
set format x "%.0s%c"
set yrange [0.05:100]
set xrange [500:2000000]
plot out.'/list-latency.dat' using 1:2 with linespoints lw 2 pt 7 title "ListBackendJobs p50 (random page via NextToken, status filter)", \
     ''                      using 1:3 with linespoints lw 1 pt 6 dt 2 title "ListBackendJobs p99", \
     ''                      using 1:4 with linespoints lw 2 pt 5 title "GetBackendJob p50 (random job)", \
     5 with lines lc rgb "red" dt 3 title "goal: ListBackendJobs p50 < 5 ms"
