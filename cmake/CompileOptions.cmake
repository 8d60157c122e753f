# Shared warning and hardening flags for every Compono target.
add_library(compono_options INTERFACE)
target_compile_options(compono_options INTERFACE -Wall -Wextra)
if(COMPONO_WERROR)
  target_compile_options(compono_options INTERFACE -Werror)
endif()
target_include_directories(compono_options INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>)

# compono_library(<name> SOURCES ... [DEPS ...])
function(compono_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_link_libraries(${name} PUBLIC compono_options ${ARG_DEPS})
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
