# lib.sh: helpers the bench scripts share (sourced, not run).

repeat_walls() { # NAME RUNS COMMAND...: wall time of RUNS more runs (one run is at the VM's mercy): min, median, max
  local name=$1 runs=$2; shift 2
  local walls=() s sorted
  for _ in $(seq "$runs"); do
    s=$(date +%s%N)
    "$@" >/dev/null 2>&1 || { echo "$name failed" >&2; exit 1; }
    walls+=("$(( ($(date +%s%N) - s) / 1000000 ))")
  done
  sorted=$(printf '%s\n' "${walls[@]}" | sort -n)
  local min med max
  min=$(echo "$sorted" | head -1); max=$(echo "$sorted" | tail -1); med=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
  printf '%-18s %d more runs: wall min %.2f s, median %.2f s, max %.2f s\n' "$name" "$runs" \
    "$(echo "scale=3; $min / 1000" | bc)" "$(echo "scale=3; $med / 1000" | bc)" "$(echo "scale=3; $max / 1000" | bc)"
  eval "m_${name//-/_}=$(echo "scale=3; $med / 1000" | bc)"
}
