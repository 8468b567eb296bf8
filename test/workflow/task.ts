import type { Task } from '../../src/workflow/messages.js';

/** A task of the reference's shape that takes `seconds` to process (no time scale applies). */
export function testTask(id: string, seconds: number): Task {
  return {
    task_id: id,
    task_gen_timestamp: 0,
    task_application: 'image_processing',
    task_priority: 'normal',
    task_expected_duration: seconds,
    task_data_size: 512,
    task_deadline: 10,
    task_processing_time_simulated: seconds,
    task_emit_timestamp: 0,
    task_emit_time: 0,
  };
}
