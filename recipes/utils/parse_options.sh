#!/usr/bin/env bash
# Turn "--some-name value" arguments into the shell variable some_name=value, for variables the
# calling script has already set (so a typo is an error, not a silent no-op). "--help" prints the
# caller's header comment. Source it after setting the defaults:  . utils/parse_options.sh
while [ $# -gt 0 ]; do
  case "$1" in
    --help|-h)
      sed -n '2,/^[^#]/p' "$0" | sed -n 's/^# \{0,1\}//p'
      exit 0 ;;
    --*=*)
      name=${1%%=*}; value=${1#*=}; shift ;;
    --*)
      if [ $# -lt 2 ]; then echo "$0: option $1 needs a value" >&2; exit 2; fi
      name=$1; value=$2; shift 2 ;;
    *)
      echo "$0: unexpected argument '$1' (options are --name value; see --help)" >&2; exit 2 ;;
  esac
  var=${name#--}; var=${var//-/_}
  if [ -z "${!var+x}" ]; then
    echo "$0: unknown option --${name#--} (see --help)" >&2; exit 2
  fi
  printf -v "$var" '%s' "$value"
done
